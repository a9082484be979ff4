"""The reader's language: ``?lang=``, then ``Accept-Language``, then the default.

Interface strings go through Flask-Babel; data values are picked by
:func:`kg.describe.pick_literal` in the same order of languages.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel

from web.state import settings


def reader_language() -> str:
    """The language to show this request in."""
    if "kg_language" not in g:
        languages = settings().language_list
        asked = request.args.get("lang", "").lower()
        if asked in languages:
            g.kg_language = asked
        else:
            g.kg_language = request.accept_languages.best_match(languages) or languages[0]
    return g.kg_language


def language_order() -> list[str]:
    """The reader's language first, then the others (the fallbacks)."""
    first = reader_language()
    return [first] + [lang for lang in settings().language_list if lang != first]


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the reader's language."""
    Babel(app, locale_selector=reader_language)

    @app.context_processor
    def language_context() -> dict:
        return {"lang": reader_language(), "languages": settings().language_list}
