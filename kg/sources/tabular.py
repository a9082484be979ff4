"""Reading CSV, YAML and JSON sources into records, one schema for all three.

CSV: the file name ends with the kind (``people.csv``, ``partners-people.csv``),
the first row names the fields, empty cells are absent, and a field that takes
several values separates them with ``;``. YAML and JSON: a mapping from kind
(plural or singular) to a list of records, or a plain list of records when the
file name ends with the kind. See ``docs/sources.md``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from kg.errors import SourceSyntaxError
from kg.kinds import Kind, kind_from_word
from kg.sources import Origin, Record, Source

# csv's default limit (128 KiB) is smaller than some catalogue notes.
csv.field_size_limit(16 * 1024 * 1024)
TOO_DEEP = "lists or mappings are nested too deeply to be records"
MAX_REPEATED = 100_000  # values that YAML aliases may add to a file


class _Fields(dict):
    """A JSON object, with the keys it gave more than once (json keeps only the last)."""

    repeated: list[str]

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> _Fields:
        fields = cls(pairs)
        fields.repeated = _repeated(key for key, _ in pairs)
        return fields


def _repeated(names: Iterable[str]) -> list[str]:
    """The names that occur more than once, in order of first repetition."""
    seen: set[str] = set()
    twice: list[str] = []
    for name in names:
        if name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    return twice


def _duplicates(data: dict, node: Any) -> list[str]:
    """Keys a JSON object or YAML mapping gives twice (the parsers keep the last silently)."""
    if isinstance(node, yaml.MappingNode):
        return _repeated(str(key.value) for key, _ in node.value
                         if isinstance(key, yaml.ScalarNode))
    return getattr(data, "repeated", [])


def _refuse_alias_bombs(root: yaml.Node, source: Source) -> None:
    """Refuse aliases that repeat more values than a file could hold ("billion laughs").

    A few lines of anchors and aliases can stand for billions of values, which
    would fill the memory of whatever reads them; the file's own nodes are
    counted once, what aliases repeat is counted each time.
    """
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) not in sizes:
            children = [n for pair in node.value for n in pair] \
                if isinstance(node, yaml.MappingNode) else \
                node.value if isinstance(node, yaml.SequenceNode) else []
            sizes[id(node)] = 1 + sum(size(child) for child in children)
        return sizes[id(node)]

    repeated = size(root) - len(sizes)
    if repeated > MAX_REPEATED:
        raise SourceSyntaxError(f"aliases repeat more than {MAX_REPEATED:,} values; write the "
                                "values out instead", source.label)


def _names(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)


def kind_of_file(source: Source) -> Kind | None:
    """The kind a file's name ends with (``tdtu-people.csv`` -> person)."""
    words = re.split(r"[-_.\s]+", source.path.stem)
    return kind_from_word(words[-1]) if words else None


def _read_text(source: Source) -> str:
    try:
        data = source.path.read_bytes()
    except OSError as error:
        raise SourceSyntaxError(f"cannot read: {error.strerror}", source.label) from error
    try:
        # utf-8-sig: spreadsheets often save a byte-order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SourceSyntaxError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save the file as 'CSV UTF-8' or UTF-8 text", source.label, f"line {line}") from error


def read_csv(source: Source) -> Iterator[Record]:
    """The rows of a CSV file as records; row numbers count the header as row 1."""
    kind = kind_of_file(source)
    if kind is None:
        raise SourceSyntaxError(
            "cannot tell which kind of records it holds; name it after "
            "the kind, like people.csv or organizations.csv", source.label)
    text = _read_text(source)
    # Rows end only where CSV says (CR, LF), not at the other line breaks of
    # str.splitlines (U+2028, U+0085, form feed ...), which are data in a cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as error:
        raise SourceSyntaxError(str(error), source.label, "row 1") from error
    twice = _repeated(h for h in header if h)
    if twice:
        # Every row would lose one of the two cells without a word.
        raise SourceSyntaxError(f"the header names {_names(twice)} more than once",
                                source.label, "row 1")
    row_start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise SourceSyntaxError(str(error), source.label, f"row {row_start}") from error
        origin = Origin(source.label, f"row {row_start}")
        row_start = reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        yield _row_record(kind, header, cells, origin)


def _row_record(kind: Kind, header: list[str], cells: list[str], origin: Origin) -> Record:
    if len(cells) > len(header):
        extra = [c for c in cells[len(header):] if c.strip()]
        if extra:
            return Record(kind.name, {}, origin, problem=(
                f"has {len(cells)} cells but the header names {len(header)} fields"))
    fields: dict[str, Any] = {}
    for name, value in zip(header, cells, strict=False):
        value = value.strip()
        if name and value and not name.startswith(("#", "_")):
            fields[name] = value
    return Record(kind.name, fields, origin)


def read_structured(source: Source) -> Iterator[Record]:
    """The records of a YAML or JSON file, with line numbers where the parser knows them."""
    text = _read_text(source)
    if source.format == "json":
        try:
            data = json.loads(text, object_pairs_hook=_Fields.from_pairs)
        except json.JSONDecodeError as error:
            raise SourceSyntaxError(error.msg, source.label, f"line {error.lineno}") from error
        except RecursionError:
            raise SourceSyntaxError(TOO_DEEP, source.label) from None
        yield from _records_from(source, data, lines=None)
        return
    try:
        # BaseLoader keeps every scalar a string: '2024-05-31', 'yes' and '007'
        # stay what the librarian typed; the converter decides what they mean.
        node = yaml.compose(text, Loader=yaml.BaseLoader)
        if node is None:
            return
        _refuse_alias_bombs(node, source)
        data = yaml.BaseLoader(text).construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark else ""
        raise SourceSyntaxError(str(getattr(error, "problem", error)), source.label,
                                line) from error
    except RecursionError:
        raise SourceSyntaxError(TOO_DEEP, source.label) from None
    yield from _records_from(source, data, lines=node)


def _records_from(source: Source, data: Any, lines: Any) -> Iterator[Record]:
    """Records from parsed data; ``lines`` is the YAML node tree, for line numbers."""
    if isinstance(data, list):
        kind = kind_of_file(source)
        if kind is None:
            raise SourceSyntaxError(
                "a list of records needs a file named after its kind "
                "(people.yaml), or a mapping from kind to records", source.label)
        yield from _list_records(source, kind, data, lines)
        return
    if not isinstance(data, dict):
        raise SourceSyntaxError("expected a mapping from kind to records", source.label)
    twice = _duplicates(data, lines)
    if twice:
        raise SourceSyntaxError(f"the kind {_names(twice)} is given more than once; put all "
                                "its records in one list", source.label)
    for index, (word, items) in enumerate(data.items()):
        kind = kind_from_word(str(word))
        node = lines.value[index][1] if lines is not None else None
        if kind is None:
            line = f"line {lines.value[index][0].start_mark.line + 1}" if lines is not None else ""
            raise SourceSyntaxError(f"unknown kind {word!r}; known kinds: "
                                    "organizations, people, positions, agreements, events, "
                                    "resources, concepts", source.label, line)
        if not isinstance(items, list):
            raise SourceSyntaxError(f"'{word}' must be a list of records", source.label)
        yield from _list_records(source, kind, items, node)


def _list_records(source: Source, kind: Kind, items: list, node: Any) -> Iterator[Record]:
    for number, item in enumerate(items, start=1):
        if node is not None:
            location = f"line {node.value[number - 1].start_mark.line + 1}"
        else:
            location = f"{kind.plural} record {number}"
        origin = Origin(source.label, location)
        if not isinstance(item, dict):
            yield Record(kind.name, {}, origin, problem="is not a mapping of field names to values")
            continue
        twice = _duplicates(item, node.value[number - 1] if node is not None else None)
        if twice:
            yield Record(kind.name, {}, origin,
                         problem=f"gives the field {_names(twice)} more than once")
            continue
        yield Record(kind.name, _flatten(item), origin)


def _flatten(item: dict) -> dict[str, Any]:
    """Nested language maps (``name: {vi: .., en: ..}``) become ``name_vi``, ``name_en``."""
    fields: dict[str, Any] = {}
    for name, value in item.items():
        name = str(name).strip()
        if isinstance(value, dict) and value and all(
                re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", str(k)) for k in value):
            for lang, text in value.items():
                fields[f"{name}_{lang}"] = text
        elif value is not None and value != "" and value != []:
            fields[name] = value
    return fields
