"""The reader's language: ``?lang=``, then ``Accept-Language``, then the default.

Interface strings go through Flask-Babel (catalogs in ``web/translations``);
data values are picked by :func:`kg.describe.pick_literal` in the same order
of languages. A language chosen with ``?lang=`` is carried on every link the
pages make, so it stays chosen while the reader browses.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_translations, lazy_gettext

from kg.ontology import term_label
from web.dates import format_date
from web.links import site_link, this_page
from web.state import settings

KIND_NAMES = {
    "organization": (lazy_gettext("Organization"), lazy_gettext("Organizations")),
    "person": (lazy_gettext("Person"), lazy_gettext("People")),
    "position": (lazy_gettext("Position"), lazy_gettext("Positions")),
    "agreement": (lazy_gettext("Agreement"), lazy_gettext("Agreements")),
    "event": (lazy_gettext("Event"), lazy_gettext("Events")),
    "resource": (lazy_gettext("Resource"), lazy_gettext("Resources")),
    "concept": (lazy_gettext("Concept"), lazy_gettext("Concepts")),
}
STATUS_NAMES = {
    "in force": lazy_gettext("in force"),
    "expired": lazy_gettext("expired"),
    "not yet in force": lazy_gettext("not yet in force"),
}
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def reader_language() -> str:
    """The language to show this request in."""
    # Called some 50 times a page: one look-up through the ``g`` proxy, not two.
    language = g.get("kg_language")
    if language is None:
        languages = settings().language_list
        asked = request.args.get("lang", "").lower()
        if asked in languages:
            language = asked
        else:
            language = request.accept_languages.best_match(languages) or languages[0]
        g.kg_language = language
    return language


def language_order() -> list[str]:
    """The reader's language first, then the others (the fallbacks)."""
    first = reader_language()
    return [first] + [lang for lang in settings().language_list if lang != first]


def kind_name(kind: str, plural: bool = False) -> str:
    """A kind's name in the reader's language."""
    key = (reader_language(), kind, plural)
    name = _KIND_NAMES.get(key)
    if name is None:
        names = KIND_NAMES.get(kind)
        name = _KIND_NAMES[key] = str(names[1 if plural else 0]) if names else kind
    return name


def status_name(status: str) -> str:
    """An agreement's status in the reader's language."""
    return str(STATUS_NAMES.get(status, status))


def language_url(code: str) -> str:
    """This page in another language."""
    if request.endpoint and request.endpoint != "static" and request.url_rule is not None:
        return this_page(lang=code)
    return "?lang=" + code


def _cached_gettext(string: str) -> str:
    key = (reader_language(), string)
    text = _GETTEXT.get(key)
    if text is None:
        text = _GETTEXT[key] = get_translations().ugettext(string)
    return text


# Translations by (language, text), for the life of the process: the compiled
# catalogs do not change while it runs, and the keys are the templates' own
# strings in the configured languages (reader_language never returns another).
_GETTEXT: dict[tuple[str, str], str] = {}
_KIND_NAMES: dict[tuple[str, str, bool], str] = {}


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the reader's language."""
    Babel(app, locale_selector=reader_language)
    # Templates look the same strings up on every page: keep the answers
    # (Flask-Babel finds the catalog anew for each call).
    app.jinja_env.install_gettext_callables(
        gettext=_cached_gettext,
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True)

    @app.context_processor
    def language_context() -> dict:
        return {"lang": reader_language(), "languages": settings().language_list,
                "language_url": language_url, "kind_name": kind_name,
                "language_names": LANGUAGE_NAMES, "status_name": status_name,
                "format_date": lambda text: format_date(text or "", None, reader_language()),
                "term_label": lambda iri: term_label(iri, language_order()),
                "site_link": site_link}

    @app.url_defaults
    def keep_language(endpoint: str, values: dict) -> None:
        # Only a language asked for in the URL is carried; one from
        # Accept-Language needs no help.
        if not has_request_context() or endpoint == "static" or "lang" in values:
            return
        if "lang" in request.args:
            asked = request.args["lang"].lower()
            if asked in settings().language_list:
                values["lang"] = asked
