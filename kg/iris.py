"""Minting IRIs: ``{BASE}id/{kind}/{key}``, ``{BASE}graph/{source}``; and keys.

>>> slugify("Trịnh Phi Cường")
'trinh-phi-cuong'
>>> fold("Đại học Tôn Đức Thắng")
'dai hoc ton duc thang'
>>> iris = Minter("https://kg.example.org/")
>>> iris.entity("person", "trinh-phi-cuong").value
'https://kg.example.org/id/person/trinh-phi-cuong'
>>> iris.parse("https://kg.example.org/id/person/trinh-phi-cuong#period")
EntityRef(kind='person', key='trinh-phi-cuong', fragment='period')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pyoxigraph import NamedNode

from kg.errors import UsageError

KEY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_KEY_RE = re.compile(KEY_PATTERN)
_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Letters that Unicode decomposition does not reduce to ASCII.
_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "ø": "o", "Ø": "O", "ß": "ss",
                        "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L"})


class _Marks(dict):
    """A translation table that drops combining marks, each code point looked up once."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_MARKS = _Marks()


def fold(text: str) -> str:
    """Lower-case text without diacritics, for matching (``Cường`` -> ``cuong``)."""
    if not text.isascii():
        text = unicodedata.normalize("NFD", text.translate(_EXTRA)).translate(_MARKS)
    return " ".join(text.casefold().split())


def slugify(text: str) -> str:
    """A key made from a name: ASCII lower case, digits and single hyphens."""
    return _NON_SLUG.sub("-", fold(text)).strip("-")


def is_key(text: str) -> bool:
    """True if text is a valid key (a slug)."""
    return bool(_KEY_RE.match(text))


@dataclass(frozen=True)
class EntityRef:
    """The parts of an entity IRI minted under the base."""

    kind: str
    key: str
    fragment: str | None = None


class Minter:
    """Mints and parses the IRIs of one deployment's base IRI."""

    def __init__(self, base_iri: str) -> None:
        if not re.match(r"^https?://[^\s/]+(/[^\s]*)?/$", base_iri):
            raise UsageError(f"base IRI must be an http(s) IRI ending with '/', got {base_iri!r}")
        self.base = base_iri
        self._cache: dict[tuple[str, str], NamedNode] = {}

    def entity(self, kind: str, key: str, fragment: str | None = None) -> NamedNode:
        """The IRI of an entity (or of a node inside its description)."""
        if fragment:
            return NamedNode(f"{self.base}id/{kind}/{key}#{fragment}")
        node = self._cache.get((kind, key))
        if node is None:
            node = self._cache[(kind, key)] = NamedNode(f"{self.base}id/{kind}/{key}")
        return node

    def graph(self, source_name: str) -> NamedNode:
        """The named graph of one source."""
        return NamedNode(f"{self.base}graph/{source_name}")

    @property
    def meta_graph(self) -> NamedNode:
        """The graph that describes the release and its sources (PROV)."""
        return NamedNode(f"{self.base}graph/meta")

    def release(self, release_id: str) -> NamedNode:
        """The IRI of a release."""
        return NamedNode(f"{self.base}release/{release_id}")

    def parse(self, iri: str) -> EntityRef | None:
        """The kind, key and fragment of an entity IRI; None if not one of ours."""
        prefix = self.base + "id/"
        if not iri.startswith(prefix):
            return None
        rest, _, fragment = iri[len(prefix):].partition("#")
        kind, sep, key = rest.partition("/")
        if not sep or not kind or not key:
            return None
        return EntityRef(kind, key, fragment or None)
