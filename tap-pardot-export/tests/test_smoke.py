"""The package installs beside the SDK without the backoff dependency trap.

See docs/sdk.md#retries-and-backoff.
"""

from __future__ import annotations

import importlib
from importlib import metadata

import pytest


def test_package_imports_with_the_sdk_and_the_shared_client() -> None:
    package = importlib.import_module("tap_pardot_export")
    assert package.__name__ == "tap_pardot_export"
    assert metadata.version("singer-sdk").startswith("0.54.")
    assert importlib.import_module("pardot_client").PardotClient is not None


def test_only_python_backoff_provides_the_backoff_module() -> None:
    assert metadata.version("python-backoff")
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.version("backoff")
    assert importlib.import_module("backoff").on_exception is not None
