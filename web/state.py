"""Per-request access to the app's settings and the release being served."""

from __future__ import annotations

from flask import current_app, g

from kg.settings import Settings
from kg.store import Snapshot


def settings() -> Settings:
    """The app's settings."""
    return current_app.config["KG_SETTINGS"]


def snapshot() -> Snapshot:
    """The release this request reads (the same one for the whole request)."""
    if "kg_snapshot" not in g:
        g.kg_snapshot = current_app.extensions["kg_store"].snapshot()
    return g.kg_snapshot
