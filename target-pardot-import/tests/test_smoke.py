"""The target package installs beside the SDK and the shared client."""

from __future__ import annotations

import importlib
from importlib import metadata


def test_package_imports_with_the_sdk_and_the_shared_client() -> None:
    package = importlib.import_module("target_pardot_import")
    assert package.__name__ == "target_pardot_import"
    assert metadata.version("singer-sdk").startswith("0.54.")
    assert importlib.import_module("pardot_client").PardotClient is not None
