"""Every interface string has a Vietnamese translation, and the compiled catalogs
(committed, so clones, wheels and CI have them) match their sources."""

from __future__ import annotations

import doctest
import importlib

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.support import REPO

TRANSLATIONS = REPO / "web" / "translations"
METHOD_MAP = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]


def interface_strings() -> set[str]:
    """Every string the web app passes through gettext, from the code itself."""
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(REPO), METHOD_MAP, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(language: str, suffix: str = "po"):
    path = TRANSLATIONS / language / "LC_MESSAGES" / f"messages.{suffix}"
    with path.open("rb") as handle:
        return read_po(handle) if suffix == "po" else read_mo(handle)


def test_interface_strings_are_found() -> None:
    strings = interface_strings()
    assert {"Referred to by", "Cooperation network", "Search", "People"} <= strings


def test_every_interface_string_has_a_vietnamese_translation() -> None:
    vi = catalog("vi")
    missing = [s for s in sorted(interface_strings())
               if s not in vi or not vi[s].string or vi[s].fuzzy]
    assert not missing, f"untranslated: {missing}  (run `make translations`, then translate)"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_compiled_catalog_matches_its_source(language: str) -> None:
    source = {m.id: m.string for m in catalog(language) if m.id}
    compiled = {m.id: m.string for m in catalog(language, "mo") if m.id}
    assert compiled == source, "run `make translations` to compile the catalogs"


def test_placeholders_survive_translation() -> None:
    for message in catalog("vi"):
        if message.id and message.string:
            for placeholder in ("%(count)s", "%(q)s", "%(start)s", "%(end)s", "%(number)s"):
                assert (placeholder in message.id) == (placeholder in message.string), message.id


@pytest.mark.parametrize("module", ["web.dates", "web.entity_view", "web.sections"])
def test_web_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted and result.failed == 0
