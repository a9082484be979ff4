"""What the page modules share: the release's entity index and dropped entities,
and the IRI a request path names.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.describe import exists
from kg.errors import Gone, NotFound
from kg.index import EntityIndex
from kg.iris import is_key
from kg.kinds import KINDS
from kg.store import Snapshot
from web import release_data
from web.state import snapshot


class EntityNotFound(NotFound):
    """No entity of this kind and key; the page suggests what the reader may have meant."""

    def __init__(self, message: str, kind: str, key: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.key = key


def entity_index(snap: Snapshot | None = None) -> EntityIndex:
    """The entity index of the release being served."""
    return release_data.entity_index(snap or snapshot())  # type: ignore[return-value]


def gone_list(snap: Snapshot) -> dict[str, str]:
    """IRI -> the release that dropped it, for 410 Gone."""
    return release_data.gone_list(snap)


def entity_iri(kind: str, key: str) -> NamedNode:
    """The IRI a request path names, under the release's base (whatever the host)."""
    if kind not in KINDS or not is_key(key):
        raise EntityNotFound(f"there is no {kind} '{key}' here", kind, key)
    return NamedNode(f"{snapshot().base_iri}id/{kind}/{key}")


def require(kind: str, key: str) -> NamedNode:
    """The IRI of an entity the release has; 410 if an earlier one had it, else 404."""
    iri = entity_iri(kind, key)
    snap = snapshot()
    if exists(snap, iri):
        return iri
    gone = gone_list(snap)
    if iri.value in gone:
        raise Gone(f"{kind} '{key}' was in an earlier release and was removed in "
                   f"release {gone[iri.value]}")
    raise EntityNotFound(f"there is no {kind} '{key}' here", kind, key)
