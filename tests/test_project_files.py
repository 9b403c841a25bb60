"""The project files agree with the connectors: README tables, meltano.yml settings, plugins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import settings_table
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def abouts() -> dict[str, dict[str, Any]]:
    return {name: settings_table.about(name) for name in settings_table.CONNECTORS}


@pytest.fixture(scope="module")
def meltano_yml() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "meltano.yml").read_text(encoding="utf-8"))
    return data


def plugins(project: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for kind in project["plugins"].values() for p in kind}


def test_readme_settings_tables_match_about(abouts: dict[str, dict[str, Any]]) -> None:
    readme = settings_table.README.read_text(encoding="utf-8")
    tables = {name: settings_table.table(info) for name, info in abouts.items()}
    assert settings_table.render(readme, tables) == readme, (
        "README.md's settings tables differ from --about: run `make readme-settings`"
    )


def test_readme_stream_table_matches_about(abouts: dict[str, dict[str, Any]]) -> None:
    readme = settings_table.README.read_text(encoding="utf-8")
    table = settings_table.stream_table(abouts["tap-pardot-export"])
    assert settings_table.render(readme, {"tap-pardot-export": table}, "streams") == readme, (
        "README.md's stream table differs from --about: run `make readme-settings`"
    )
    assert len(abouts["tap-pardot-export"]["streams"]) == table.count("\n| `")


@pytest.mark.parametrize("connector", sorted(settings_table.CONNECTORS))
def test_meltano_yml_declares_every_setting_and_flags_secrets(
    connector: str, abouts: dict[str, dict[str, Any]], meltano_yml: dict[str, Any]
) -> None:
    declared = {s["name"]: s for s in plugins(meltano_yml)[connector]["settings"]}
    wanted = {s["name"]: s for s in settings_table.meltano_settings(abouts[connector])}
    assert sorted(declared) == sorted(wanted), (
        f"meltano.yml's settings of {connector} differ from its --about"
    )
    for name, setting in wanted.items():
        assert bool(declared[name].get("sensitive")) == bool(setting.get("sensitive")), name
        assert declared[name].get("kind", "string") == setting.get("kind", "string"), name


def test_every_plugin_installs_without_meltano_hub(meltano_yml: dict[str, Any]) -> None:
    """A namespace (or a committed lock file) keeps `meltano install` off the Hub."""
    for kind, entries in meltano_yml["plugins"].items():
        for plugin in entries:
            if plugin.get("inherit_from"):  # installs with the plugin it inherits from
                continue
            lock = list((ROOT / "plugins" / kind).glob(f"{plugin['name']}--*.lock"))
            assert plugin.get("namespace") or lock, plugin["name"]
            assert plugin.get("pip_url"), plugin["name"]
    assert meltano_yml["send_anonymous_usage_stats"] is False


def test_secrets_are_not_stored_in_meltano_yml_outside_the_simulator(
    meltano_yml: dict[str, Any],
) -> None:
    """Only the simulator's published demo credentials may sit in meltano.yml."""
    sim_values = {"sim-client-id", "sim-client-secret", "sim-refresh-token"}
    sensitive = {
        (name, s["name"])
        for name, plugin in plugins(meltano_yml).items()
        for s in plugin.get("settings", [])
        if s.get("sensitive")
    }
    configs = [(p["name"], p.get("config", {})) for p in plugins(meltano_yml).values()]
    for environment in meltano_yml["environments"]:
        for entries in environment.get("config", {}).get("plugins", {}).values():
            configs += [(p["name"], p.get("config", {})) for p in entries]
    for name, config in configs:
        for key, value in config.items():
            if (name, key) in sensitive:
                assert value in sim_values, f"{name}.{key} holds a secret in meltano.yml"
