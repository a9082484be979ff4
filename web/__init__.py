"""The web application: entity pages, the SPARQL endpoint, exports.

``create_app`` sets defaults, reads configuration, registers the blueprints
and returns the app; nothing happens at import time. The app only reads
published releases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from kg.settings import Settings
from kg.store import LiveStore, open_store


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app for the settings (``KG_*`` environment, then ``config``)."""
    settings = Settings.load(config)
    app = Flask(__name__)
    app.config["KG_SETTINGS"] = settings
    app.config["JSON_AS_ASCII"] = False
    app.extensions["kg_store"] = open_store(settings)

    from web import admin, errors, exports, i18n, limits, oai, pages, sparql, void

    i18n.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(oai.blueprint)
    app.register_blueprint(exports.blueprint)
    app.register_blueprint(void.blueprint)
    app.register_blueprint(admin.blueprint)
    return app


def live_store(app: Flask) -> LiveStore:
    """The app's view of the store's current release."""
    return app.extensions["kg_store"]
