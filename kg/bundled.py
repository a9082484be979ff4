"""Finding the files that ship with the package: ontology, shapes, demo data.

In a wheel they are inside the package (``kg/_bundled/``); in a source
checkout or an editable install they are at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = {
    "ontology": ("_bundled/ontology", "../ontology"),
    "shapes": ("_bundled/shapes", "../shapes"),
    "demo": ("_bundled/demo", "../data/demo"),
}


def bundled_path(name: str) -> Path:
    """The folder of a bundled resource: ``ontology``, ``shapes`` or ``demo``."""
    for relative in _CANDIDATES[name]:
        path = (_PACKAGE / relative).resolve()
        if path.is_dir():
            return path
    raise FileNotFoundError(f"bundled {name} not found next to {_PACKAGE}")


def turtle_files(name: str) -> list[Path]:
    """The Turtle files of a bundled folder, sorted."""
    return sorted(bundled_path(name).glob("*.ttl"))
