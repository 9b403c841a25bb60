"""The connectors under Meltano's own commands: `config test`, numbers from the environment, and
`meltano add --from-ref` with the Hub definitions of `meltano-hub/`."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from pipeline_support import MELTANO, ROOT, MeltanoProject, SimAdmin

from pardot_sim import Simulator

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def calls(admin: SimAdmin, sim: Simulator) -> dict[str, int]:
    """Both business units' calls by kind."""
    total: dict[str, int] = {}
    for index in (0, 1):
        unit = sim.config(index)["business_unit_id"]
        by_kind = admin.session.get(f"{sim.url}/_sim/accounts/{unit}/calls", timeout=30).json()
        for kind, count in by_kind["by_kind"].items():
            total[kind] = total.get(kind, 0) + count
    return total


@pytest.mark.parametrize("plugin", ["tap-pardot-export", "target-pardot-import"])
def test_meltano_config_test_makes_no_export_or_import(
    project: MeltanoProject, sim_admin: SimAdmin, e2e_sim: Simulator, plugin: str
) -> None:
    """Before: the tap's test synced until its first RECORD (3 exports created against the
    simulator in 8 s; 2 and up to 65 s against Pardot)."""
    began = time.monotonic()
    code = project.run("config", "test", plugin, check=False)
    took = time.monotonic() - began
    log = project.logs[-1].read_text()
    if plugin == "target-pardot-import":
        # Meltano's verdict on the loader; then Meltano 4.4.1 may crash terminating the target
        # that already exited (ProcessLookupError in its own `finally`, docs/sdk.md#meltano).
        assert "Test data was written to your target system" in log, log[-3000:]
        assert code == 0 or "ProcessLookupError" in log, log[-3000:]
    else:
        assert code == 0, log[-3000:]
        assert "Plugin configuration is valid" in log
    used = calls(sim_admin, e2e_sim)
    assert not {k for k in used if "export" in k or "import" in k}, used  # v3/v4 and v5 kinds
    assert used.get("prospect.query") == 1, used
    assert took < 60


def test_numbers_from_the_environment_reach_the_tap_through_meltano(
    project: MeltanoProject,
) -> None:
    """Before: Meltano 4.4.1 stopped with `Object of type Decimal is not JSON serializable` on a
    decimal-kind setting given as an environment variable."""
    extra = {"TAP_PARDOT_EXPORT_POLL_INTERVAL_SECONDS": "0.5", "TAP_PARDOT_EXPORT_MAX_TRIES": "3"}
    project.run("config", "test", "tap-pardot-export", extra=extra)
    log = project.logs[-1].read_text()
    assert "Decimal" not in log
    assert "Plugin configuration is valid" in log


def test_meltano_add_from_the_hub_definitions(tmp_path: Path) -> None:
    """A new Meltano project adds both connectors from the definition files, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_", "MELTANO_"))}
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    work = tmp_path / "project"

    def meltano(*args: str) -> None:
        done = subprocess.run(
            [str(MELTANO), *args], cwd=work if work.exists() else tmp_path, env=env,
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"meltano {' '.join(args)}\n{done.stderr[-3000:]}"

    meltano("init", "project", "--no-usage-stats")
    hub = ROOT / "meltano-hub"
    for kind, name in (("extractor", "tap-pardot-export"), ("loader", "target-pardot-import")):
        definition = hub / f"{kind}s" / name / "pardot-connectors.yml"
        meltano("add", "--no-install", "--plugin-type", kind, name, "--from-ref", str(definition))
    added = yaml.safe_load((work / "meltano.yml").read_text())
    plugins = {p["name"]: p for kind in added["plugins"].values() for p in kind}
    tap = plugins["tap-pardot-export"]
    assert tap["pip_url"] == "tap-pardot-export"
    assert tap["namespace"] == "tap_pardot_export"
    secrets = {s["name"] for s in tap["settings"] if s.get("sensitive")}
    assert {"client_id", "client_secret", "refresh_token"} <= secrets
    assert "target-pardot-import" in plugins
