"""What an installed pytest-awsmsg tells about itself: version, licence, links, dependencies."""

from __future__ import annotations

from importlib import metadata

import pytest_awsmsg


def test_the_version_is_exposed_and_matches_the_metadata() -> None:
    assert pytest_awsmsg.__version__ == metadata.version("pytest-awsmsg")


def test_the_metadata_names_the_licence_links_and_runtime_dependencies() -> None:
    meta = metadata.metadata("pytest-awsmsg")
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in (meta.get_all("License-File") or [])
    assert meta.get_all("Project-URL")
    assert "Framework :: Pytest" in (meta.get_all("Classifier") or [])
    required = {
        r.split(">")[0].split(";")[0].strip() for r in metadata.requires("pytest-awsmsg") or [] if "extra" not in r
    }
    # Imported by the kit at run time (SNS HTTP deliveries use requests).
    assert {"pytest", "boto3", "botocore", "freezegun", "requests"} <= required
