"""The published packages are publishable as they are: one version, a dependency range, a LICENSE,
metadata, a CHANGELOG entry, Hub definitions that match `--about`, and a release workflow."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import hub_definitions
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the workspace's Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ("pardot-client", "tap-pardot-export", "target-pardot-import")


def project(package: str) -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads((ROOT / package / "pyproject.toml").read_text())
    return data["project"]


def test_the_published_packages_move_together() -> None:
    versions = {package: project(package)["version"] for package in PUBLISHED}
    assert len(set(versions.values())) == 1, versions
    version = Version(versions["pardot-client"])
    for connector in ("tap-pardot-export", "target-pardot-import"):
        client = [
            Requirement(d) for d in project(connector)["dependencies"]
            if Requirement(d).name == "pardot-client"
        ]  # fmt: skip
        assert len(client) == 1, f"{connector} must depend on pardot-client"
        spec = client[0].specifier
        assert str(spec), f"{connector}: pardot-client needs a version range, not a bare name"
        assert version in spec, f"{connector}: {spec} excludes the version released with it"
        assert Version(f"{version.major}.{version.minor + 1}.0") not in spec, (
            f"{connector}: {spec} admits the next minor version of pardot-client"
        )


@pytest.mark.parametrize("package", [*PUBLISHED, "pardot-sim"])
def test_each_package_carries_its_license_and_metadata(package: str) -> None:
    meta = project(package)
    assert meta["license"] == "Apache-2.0"
    assert meta["license-files"] == ["LICENSE"]
    assert (ROOT / package / "LICENSE").read_text() == (ROOT / "LICENSE").read_text()
    assert "Apache License" in (ROOT / "LICENSE").read_text()
    classifiers = meta["classifiers"]
    assert "Programming Language :: Python :: 3.10" in classifiers
    assert ("Private :: Do Not Upload" in classifiers) is (package == "pardot-sim")
    if package in PUBLISHED:
        assert {"Homepage", "Source", "Issues", "Changelog"} <= set(meta["urls"])
        readme = (ROOT / package / meta["readme"]).read_text()
        assert "## Installation" in readme
        assert f"#subdirectory={package}" in readme, "the README shows the pip line from git"
        assert len(readme.splitlines()) > 20


def test_the_changelog_has_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{project('pardot-client')['version']}]" in changelog
    assert "## [Unreleased]" in changelog


def test_the_hub_definitions_match_about() -> None:
    for path, text in hub_definitions.wanted_files().items():
        assert path.exists(), f"{path} is missing: run `make hub-definitions`"
        assert path.read_text() == text, f"{path} differs from --about: run `make hub-definitions`"
        definition = yaml.safe_load(text)
        assert definition["namespace"] == definition["name"].replace("-", "_")
        assert definition["pip_url"] == definition["name"]


def test_the_release_workflow_publishes_the_three_packages_by_trusted_publishing() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML reads the key `on` as True
    publish = workflow["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert any("pypa/gh-action-pypi-publish" in step.get("uses", "") for step in publish["steps"])
    build = " ".join(step.get("run", "") for step in workflow["jobs"]["build"]["steps"])
    assert "pardot-client tap-pardot-export target-pardot-import" in build
    assert "pardot-sim" not in build
