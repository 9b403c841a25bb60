"""The target's settings as the code reads them: defaults from the schema only, sizes checked."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal

import pytest

from pardot_client import PardotConfigError
from target_pardot_import.fields import ColumnOption
from target_pardot_import.settings import CONFIG_SCHEMA, TargetSettings


def test_unset_null_and_empty_settings_take_the_schema_defaults() -> None:
    defaults = {
        name: prop["default"]
        for name, prop in CONFIG_SCHEMA["properties"].items()
        if "default" in prop and name in {f.name for f in fields(TargetSettings)}
    }
    assert set(defaults) >= {"max_batch_bytes", "poll_interval_seconds", "rejects_path"}
    for config in ({}, dict.fromkeys(defaults), dict.fromkeys(defaults, "")):
        settings = TargetSettings.from_config(config)
        assert {name: getattr(settings, name) for name in defaults} == defaults
        assert (settings.rejects_format, settings.spool_dir, settings.column_options) == (
            None, None, {}
        )  # fmt: skip


def test_settings_are_typed_and_column_options_parsed() -> None:
    settings = TargetSettings.from_config({
        "max_batch_bytes": Decimal(5000), "poll_interval_seconds": Decimal("0.5"),
        "import_timeout_minutes": 2, "max_reject_rate": Decimal("0.25"), "spool_dir": "spool",
        "column_options": {"city": {"nullOverwrite": True}, "name": {"overwrite": False},
                           "bare": None},
    })  # fmt: skip
    assert settings.max_batch_bytes == 5000
    assert type(settings.max_batch_bytes) is int
    assert (settings.poll_interval_seconds, settings.max_reject_rate) == (0.5, 0.25)
    assert settings.import_timeout_seconds == 120
    assert settings.spool_dir == "spool"
    assert settings.column_options == {
        "city": ColumnOption(overwrite=True, null_overwrite=True),
        "name": ColumnOption(overwrite=False, null_overwrite=False),
        "bare": ColumnOption(),
    }


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"max_parts_per_import": 0}, "max_parts_per_import must be 1 to 10"),
        ({"max_parts_per_import": 11}, "max_parts_per_import must be 1 to 10"),
        ({"max_batch_bytes": 0}, "max_batch_bytes must be a positive number"),
    ],
)
def test_sizes_no_import_could_have_are_refused(config: dict[str, int], message: str) -> None:
    with pytest.raises(PardotConfigError, match=message):
        TargetSettings.from_config(config)
