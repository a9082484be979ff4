"""Settings: declared once, read from KG_* variables, documented."""

from __future__ import annotations

import pytest

from kg.errors import UsageError
from kg.settings import SETTINGS, Settings
from tests.support import REPO


def test_environment_then_overrides() -> None:
    settings = Settings.load({"port": 9000}, environ={"KG_PORT": "8000", "KG_HOST": "0.0.0.0"})
    assert settings.port == 9000
    assert settings.host == "0.0.0.0"


def test_bad_value_names_the_variable() -> None:
    with pytest.raises(UsageError, match="KG_PORT must be a whole number"):
        Settings.load(environ={"KG_PORT": "eighty"})


def test_every_setting_is_documented() -> None:
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if s.env not in text]
    assert not missing, f"undocumented settings: {missing}"
