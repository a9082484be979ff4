"""What the web app reads once per release and keeps with its snapshot: the
entity index and the list of dropped entities; and labels looked up through
the index first (one query for many IRIs) and the store for the rest.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import NamedNode

from kg.describe import labels
from kg.errors import NotFound
from kg.index import INDEX_FILE, EntityIndex
from kg.store import Snapshot
from kg.tombstones import read_gone


def _release_cache(snap: Snapshot) -> dict:
    """Things read once per release and kept with its snapshot."""
    cache = getattr(snap, "_pages_cache", None)
    if cache is None:
        cache = {}
        snap._pages_cache = cache  # type: ignore[attr-defined]
    return cache


def entity_index(snap: Snapshot, required: bool = True) -> EntityIndex | None:
    """The entity index of a release (NotFound, or None, if it has none)."""
    cache = _release_cache(snap)
    if "index" not in cache:
        release = getattr(snap, "release", None)
        path = release.path / INDEX_FILE if release else None
        cache["index"] = EntityIndex(path) if path and path.is_file() else None
    if cache["index"] is None and required:
        raise NotFound("this release has no entity index; publish it again with 'kg build'")
    return cache["index"]


def gone_list(snap: Snapshot) -> dict[str, str]:
    """IRI -> the release that dropped it, for 410 Gone."""
    cache = _release_cache(snap)
    if "gone" not in cache:
        release = getattr(snap, "release", None)
        cache["gone"] = read_gone(release.path if release else None)
    return cache["gone"]


def names(snap: Snapshot, iris: Iterable[NamedNode], languages: list[str]) -> dict[str, str]:
    """Labels of many IRIs in the reader's language, the index answering for entities."""
    wanted = list(dict.fromkeys(i.value for i in iris if isinstance(i, NamedNode)))
    index = entity_index(snap, required=False)
    found: dict[str, str] = {}
    if index is not None:
        for iri, texts in index.labels_of(wanted).items():
            for language in [*languages, ""]:
                if language in texts:
                    found[iri] = texts[language]
                    break
            else:
                if texts:
                    found[iri] = next(iter(texts.values()))
    # Only our own IRIs can have labels in the store; vocabulary terms are
    # labelled from the ontology by the caller.
    rest = [NamedNode(i) for i in wanted if i not in found and i.startswith(snap.base_iri)]
    found.update(labels(snap, rest, languages))
    return found
