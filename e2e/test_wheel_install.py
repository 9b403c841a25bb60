"""The connectors install like any Python package, outside this workspace, with plain pip.

The wheels (built here, or by CI into `PARDOT_WHEEL_DIR`) go into a directory with their
third-party dependencies (downloaded by pip from PyPI, at the versions uv.lock pins), and a fresh
venv in a temporary directory installs the tap and the target from that directory alone
(`--no-index`). Before `pardot-client` became a normal dependency with a version range, this
failed with `No matching distribution found for pardot-client` wherever uv's workspace was not
there to find it. The installed executables then print `--about`, and the tap syncs a stream from
the simulator. A second test installs from git with the README's pip line (a `file://` URL of
this repository standing in for GitHub).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pipeline_support import ROOT

from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin, serving

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

PUBLISHED = ("pardot-client", "tap-pardot-export", "target-pardot-import")
CONNECTORS = ("tap-pardot-export", "target-pardot-import")
START, END = "2026-11-09T00:00:00Z", "2026-11-23T12:00:00Z"
# The workspace's venv and the connectors' settings stay out of the commands run "outside".
_NOT_PASSED = ("TAP_", "TARGET_", "MELTANO_", "VIRTUAL_ENV", "UV_PROJECT", "PYTHONPATH")


def uv() -> list[str]:
    """The uv command: on PATH, or as the module the Makefile installs."""
    found = shutil.which("uv")
    return [found] if found else ["python3", "-m", "uv"]


def run(command: list[str], *, cwd: Path, timeout: float = 600) -> str:
    """Run a command outside the workspace (no VIRTUAL_ENV, no TAP_/TARGET_ settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_PASSED)}
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    what = f"{' '.join(command)} exited {done.returncode}"
    assert done.returncode == 0, f"{what}\n{done.stderr[-3000:]}"
    return done.stdout


def fresh_venv(where: Path) -> Path:
    """A new venv of the base interpreter, with its own pip; its bin directory."""
    base = getattr(sys, "_base_executable", sys.executable)
    run([base, "-m", "venv", str(where)], cwd=where.parent)
    return where / "bin"


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our wheels (CI's, or built now) plus every third-party wheel they need, pinned."""
    folder = tmp_path_factory.mktemp("wheels")
    given = os.environ.get("PARDOT_WHEEL_DIR")
    if given:
        for wheel in Path(given).glob("*.whl"):
            shutil.copy(wheel, folder)
    else:
        run([*uv(), "build", "--all-packages", "--wheel", "-o", str(folder)], cwd=ROOT)
    for name in PUBLISHED:
        assert list(folder.glob(f"{name.replace('-', '_')}-*.whl")), f"no wheel of {name}"
    requirements = folder / "requirements.txt"
    exported = run(
        [*uv(), "export", "--frozen", "--no-dev", "--no-emit-workspace", "--no-hashes",
         "--package", "tap-pardot-export", "--package", "target-pardot-import",
         "--format", "requirements-txt"], cwd=ROOT,
    )  # fmt: skip
    requirements.write_text(exported)
    pip = fresh_venv(tmp_path_factory.mktemp("downloader") / "venv") / "pip"
    run([str(pip), "download", "--quiet", "--only-binary=:all:", "-r", str(requirements),
         "-d", str(folder)], cwd=folder)  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def installed(wheel_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the workspace with the tap and the target from the wheels alone."""
    outside = tmp_path_factory.mktemp("outside")
    bin_dir = fresh_venv(outside / "venv")
    run([str(bin_dir / "pip"), "install", "--quiet", "--no-index", "--find-links", str(wheel_dir),
         *CONNECTORS], cwd=outside)  # fmt: skip
    return bin_dir


@pytest.fixture(scope="module")
def wheel_sim() -> Iterator[Simulator]:
    """A simulator of this module's own, its clock fast enough for exports to finish at once."""
    yield from serving(seed=2, clock_speed=7200.0)


def test_the_wheels_install_with_plain_pip_and_print_about(installed: Path) -> None:
    freeze = run([str(installed / "pip"), "freeze"], cwd=installed)
    for name in PUBLISHED:
        assert f"{name}==0." in freeze, freeze
    assert "pardot-sim" not in freeze, "the simulator is not a dependency of the connectors"
    for connector in CONNECTORS:
        about = json.loads(
            run([str(installed / connector), "--about", "--format", "json"], cwd=installed)
        )
        assert about["name"] == connector
        settings = about["settings"]["properties"]
        assert {"client_id", "client_secret", "business_unit_id", "max_api_calls"} <= set(settings)
        assert settings["client_secret"]["secret"] is True


def test_the_installed_tap_syncs_from_the_simulator(
    installed: Path, wheel_sim: Simulator, tmp_path: Path
) -> None:
    config = wheel_sim.config(
        start_date=START, end_date=END, export_window_days=7, poll_interval_seconds=0.05
    )
    (tmp_path / "config.json").write_text(json.dumps(config))
    tap = str(installed / "tap-pardot-export")
    catalog: dict[str, Any] = json.loads(
        run([tap, "--config", "config.json", "--discover"], cwd=tmp_path)
    )
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] == "visitor_activities"
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    output = run([tap, "--config", "config.json", "--catalog", "catalog.json"], cwd=tmp_path)
    messages = [json.loads(line) for line in output.splitlines() if line.strip()]
    got = sorted(m["record"]["id"] for m in messages if m["type"] == "RECORD")
    admin = SimAdmin(wheel_sim)
    try:
        rows = admin.records("visitorActivity", deleted="all")
    finally:
        admin.close()
    wanted = sorted(r["id"] for r in rows if START[:19] <= r["updated_at"][:19] < END[:19])
    assert wanted, "the simulator has no rows in the window: the test proves nothing"
    assert got == wanted
    assert messages[-1]["type"] == "STATE"


def test_the_readme_git_line_installs_the_tap(tmp_path: Path) -> None:
    """`pip install "pardot-client @ git+...#subdirectory=pardot-client" "tap-pardot-export @ ..."`.

    The README's line, with this repository's committed HEAD as a `file://` URL; pip takes the
    build backend and the third-party dependencies from PyPI.
    """
    head = run(["git", "rev-parse", "HEAD"], cwd=ROOT).strip()
    source = f"git+file://localhost{ROOT}@{head}"  # packaging wants a host in a file URL
    bin_dir = fresh_venv(tmp_path / "venv")
    run([str(bin_dir / "pip"), "install", "--quiet",
         f"pardot-client @ {source}#subdirectory=pardot-client",
         f"tap-pardot-export @ {source}#subdirectory=tap-pardot-export"], cwd=tmp_path)  # fmt: skip
    version = run([str(bin_dir / "tap-pardot-export"), "--version"], cwd=tmp_path)
    assert "tap-pardot-export v0." in version
