"""Shared test configuration. Fixture plugins live beside this file as ``plugin_*.py``."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_part(available: bool, what: str) -> None:
    """Skip locally when a real part is missing; in CI a missing part is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"real part missing in CI: {what}")
    pytest.skip(f"real part missing: {what}")


pytest_plugins = ["plugin_cups", "plugin_station", "plugin_central", "plugin_conalep",
                  "plugin_followup",
                  "plugin_lifecycle", "plugin_camera", "plugin_ui", "plugin_fleet", "plugin_logs",
                  "plugin_appliance"]
