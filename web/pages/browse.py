"""The home page, paged lists of each kind, and label search, all from the
release's entity index (``kg.index``), never by scanning the store.
"""

from __future__ import annotations

from flask import Response, jsonify, render_template, request, url_for

from kg.errors import NotFound, UsageError
from kg.index import Page
from kg.kinds import KINDS, kind_from_word
from web import charts
from web.i18n import kind_name, language_order, reader_language
from web.links import page_href, this_page
from web.negotiation import HTML, Representation, negotiate
from web.pages import blueprint
from web.pages.common import entity_index
from web.state import snapshot

PER_PAGE = 50
SEARCH_PER_PAGE = 20
MAX_QUERY = 200
SORTS = ("name", "-name", "date", "-date")
DATED_KINDS = ("event", "resource", "agreement")
JSON = Representation("json", "application/json", ("application/json",))


@blueprint.app_context_processor
def paging_context() -> dict:
    """``url_with(page=2)``: this page's URL with some arguments changed; ``page_href``:
    an entity's page (lists and searches link 20-50 of them: url_for is too dear)."""
    return {"url_with": this_page, "page_href": page_href}


def _page_number() -> int:
    text = request.args.get("page", "1")
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise UsageError(f"?page= must be a whole number from 1, got {text!r}")
    return int(text)


@blueprint.get("/")
def home() -> str:
    """What the dataset holds: counts by kind, a timeline of events, a search box."""
    index = entity_index()
    languages = language_order()
    counts = [(kind_name(name, plural=True), index.count(name),
               url_for(f"pages.list_{name}")) for name in KINDS]
    years = index.event_years()
    return render_template(
        "home.html", counts=counts, release=snapshot().manifest,
        bars_chart=charts.count_bars(counts, ""),
        columns_chart=charts.year_columns(years, ""), years=years,
        latest=index.events(dated=True, limit=8), undated=index.events(dated=False, limit=8),
        languages=languages)


def _list_view(kind: str) -> str:
    number = _page_number()
    sort = request.args.get("sort", "name")
    if sort not in SORTS or (sort.lstrip("-") == "date" and kind not in DATED_KINDS):
        raise UsageError(f"?sort= must be one of {', '.join(SORTS)}"
                         f"{'' if kind in DATED_KINDS else ' (without date for this kind)'}")
    page = entity_index().browse(kind, reader_language(), sort, PER_PAGE,
                                 (number - 1) * PER_PAGE)
    pages = max(1, (page.total + PER_PAGE - 1) // PER_PAGE)
    if number > pages:
        raise NotFound(f"there are only {pages} pages of {KINDS[kind].plural}")
    return render_template("list.html", kind=kind, page=page, number=number, pages=pages,
                           sort=sort, sorts=SORTS if kind in DATED_KINDS else SORTS[:2],
                           languages=language_order())


@blueprint.get("/browse/<word>")
def browse(word: str) -> str:
    """A kind's entities, a page at a time, by name or date (singular or plural word)."""
    kind = kind_from_word(word)
    if kind is None:
        raise NotFound(f"there is no kind '{word}'; try one of {', '.join(KINDS)}")
    return _list_view(kind.name)


def _register_plural_lists() -> None:
    """``/organizations``, ``/people`` ...: the same lists at the plural's path."""
    for kind in KINDS.values():
        def view(kind_name: str = kind.name) -> str:
            return _list_view(kind_name)

        view.__doc__ = f"The list of {kind.plural}."
        blueprint.add_url_rule(f"/{kind.plural}", f"list_{kind.name}", view, methods=["GET"])


_register_plural_lists()


@blueprint.get("/search")
def search() -> Response:
    """Entities whose labels match ``q``, exact matches first; HTML or JSON."""
    text = request.args.get("q", "").strip()
    if len(text) > MAX_QUERY:
        raise UsageError(f"the search text is longer than {MAX_QUERY} characters")
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise UsageError(f"?kind= must be one of {', '.join(KINDS)}, got {kind!r}")
    number = _page_number()
    chosen = negotiate((HTML, JSON), default=HTML)
    page = entity_index().search(text, kind, SEARCH_PER_PAGE, (number - 1) * SEARCH_PER_PAGE) \
        if text else Page(0, [])
    languages = language_order()
    if chosen is JSON:
        response = jsonify(_search_json(text, page, languages))
    else:
        pages = max(1, (page.total + SEARCH_PER_PAGE - 1) // SEARCH_PER_PAGE)
        response = Response(render_template(
            "search.html", q=text, kind=kind, page=page, number=number, pages=pages,
            languages=languages), content_type=HTML.media_type)
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


def _search_json(text: str, page: Page, languages: list[str]) -> dict:
    return {"query": text, "total": page.total, "more": page.capped,
            "results": [{"iri": e.iri, "kind": e.kind, "label": e.label(languages),
                         "page": url_for("pages.page", kind=e.kind, key=e.key, _external=True)}
                        for e in page.items]}
