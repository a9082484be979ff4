"""Entities that earlier releases had and the current one dropped (410 Gone).

Each release folder holds ``gone.tsv``: one line per dropped entity IRI with
the id of the release that dropped it. The list is carried forward from
release to release, and an entity that comes back leaves it.
"""

from __future__ import annotations

from pathlib import Path

GONE_FILE = "gone.tsv"


def read_gone(release_path: Path | None) -> dict[str, str]:
    """IRI -> id of the release that dropped it."""
    if release_path is None:
        return {}
    path = release_path / GONE_FILE
    if not path.is_file():
        return {}
    gone = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        iri, _, release_id = line.partition("\t")
        if iri:
            gone[iri] = release_id
    return gone


def write_gone(release_path: Path, gone: dict[str, str]) -> None:
    """Write a release's list of dropped entities."""
    lines = [f"{iri}\t{release_id}\n" for iri, release_id in sorted(gone.items())]
    (release_path / GONE_FILE).write_text("".join(lines), encoding="utf-8")


def next_gone(previous: dict[str, str], before: set[str], after: set[str],
              release_id: str) -> dict[str, str]:
    """The carried-forward list: add what disappeared, drop what came back."""
    gone = {iri: rid for iri, rid in previous.items() if iri not in after}
    for iri in before - after:
        gone.setdefault(iri, release_id)
    return gone
