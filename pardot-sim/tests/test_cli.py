"""`pardot-sim serve` starts a real server a client can use, and stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests


def test_serve_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    url_file = tmp_path / "url"
    process = subprocess.Popen(
        [sys.executable, "-m", "pardot_sim.cli", "serve", "--port", "0", "--scale", "tiny",
         "--seed", "3", "--start", "2026-11-23T12:00:00Z", "--url-file", str(url_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not url_file.exists() or not url_file.read_text().strip():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the simulator did not start within 60 s"
            time.sleep(0.2)
        url = url_file.read_text().strip()
        with requests.Session() as session:
            state = session.get(url + "/_sim/state", timeout=10).json()
            assert state["accounts"]["0Uv000000000001AAA"]["rows"]["prospect"] > 0
            token = session.post(
                url + "/services/oauth2/token",
                data={"grant_type": "refresh_token", "client_id": "sim-client-id",
                      "client_secret": "sim-client-secret", "refresh_token": "sim-refresh-token"},
                timeout=10,
            ).json()  # fmt: skip
            assert token["token_type"] == "Bearer"
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    banner = json.loads(out.decode())
    assert banner["settings"]["base_url"] == url
