"""``kg export``: the current release (or one kind of entity) in a chosen format."""

from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path

import click

from kg.cli.options import setting_option, settings_from
from kg.errors import UsageError
from kg.export.formats import EXPORT_FORMATS, export
from kg.kinds import kind_from_word
from kg.store import open_store


@click.command("export")
@click.option("--format", "format_name", required=True, type=click.Choice(list(EXPORT_FORMATS)),
              help="; ".join(f"{f.name}: {f.help}" for f in EXPORT_FORMATS.values()))
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              help="Only entities of this kind (person or people ...); may be repeated. "
                   "Without it: the whole release.")
@click.option("--out", required=True, metavar="FILE",
              help="File to write ('-': standard output). A name ending in .gz is gzipped.")
@setting_option("store")
def export_command(format_name: str, kinds: tuple[str, ...], out: str,
                   store: str | None) -> None:
    """Export the current release in a format for catalogues, aggregators or spreadsheets.

    \b
      kg export --format nq --out dataset.nq.gz
      kg export --format csv --kind people --out people.csv
      kg export --format oai_dc --kind resource --out resources.xml
    """
    settings = settings_from(store=store)
    names = [_kind(word) for word in kinds] or None
    snapshot = open_store(settings).snapshot()
    languages = tuple(settings.language_list)
    if out == "-":
        count = export(snapshot, format_name, names, sys.stdout.buffer, languages)
    else:
        count = _to_file(Path(out), lambda handle: export(snapshot, format_name, names,
                                                          handle, languages))
    whole = names is None and format_name in ("nt", "nq", "ttl", "jsonld")
    what = "quads of the release" if whole else "records"
    click.echo(f"wrote {count:,} {what} as {format_name} to {out}", err=True)


def _kind(word: str) -> str:
    kind = kind_from_word(word)
    if kind is None:
        raise UsageError(f"unknown kind {word!r}")
    return kind.name


def _to_file(path: Path, write) -> int:
    """Write through a temporary file, renamed into place only when all went well."""
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as raw:
            if path.suffix == ".gz":
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
                    count = write(zipped)
            else:
                count = write(raw)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


COMMANDS = [export_command]
