"""The send ledger on its own: two runs never both claim a key, a decision is only taken on a key
in review, a file that is no ledger or cannot be written is named with its setting."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pardot_client import PardotConfigError
from target_pardot_import.ledger import Ledger


def claim(path: Path, run: str) -> bool:
    """Whether this run got the key (a ledger object of its own, as a second process has)."""
    ledger = Ledger(path).open()
    try:
        return ledger.claim("k", stream="s", kind="one_to_one", fingerprint="f", run_id=run,
                            line=1) is None  # fmt: skip
    finally:
        ledger.close()


def test_of_many_runs_claiming_one_key_exactly_one_gets_it(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger(path).open().close()
    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(lambda n: claim(path, f"run-{n}"), range(16)))
    assert won.count(True) == 1


def sends(ledger: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "target_pardot_import.sends_cli", "--ledger", str(ledger), *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_decisions_are_taken_only_on_keys_in_review(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    ledger = Ledger(path).open()
    for key in ("sent-one", "open-one"):
        ledger.claim(key, stream="s", kind="list", fingerprint="f", run_id="r", line=2)
    ledger.finish("sent-one", "sent", run_id="r", email_id=5)
    ledger.close()

    refused = sends(path, "retry", "sent-one")
    assert refused.returncode == 1
    assert "key 'sent-one' is sent, not in review" in refused.stderr
    assert sends(path, "confirm", "no-such-key").returncode == 1
    assert sends(path, "retry", "open-one").returncode == 0
    assert Ledger(path, read_only=True).open().lookup("open-one").state == "retry"  # type: ignore[union-attr]
    assert sends(path, "summary").stdout.split() == ["retry", "1", "sent", "1"]


@pytest.mark.parametrize("what", ["a directory", "not a database"])
def test_an_unusable_ledger_is_named_with_its_setting(tmp_path: Path, what: str) -> None:
    path = tmp_path / "ledger.sqlite"
    if what == "a directory":
        path.mkdir()
    else:
        path.write_text("these are notes, not a ledger\n" * 100)
    with pytest.raises(PardotConfigError) as info:
        Ledger(path).open()
    assert str(info.value).startswith(f"send_ledger_path {path} cannot be used (")
