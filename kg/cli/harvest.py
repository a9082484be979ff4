"""``kg harvest``: a partner's SPARQL endpoint or dump becomes a source file."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click

from kg.cli.output import stdout
from kg.cli.query import read_query_argument
from kg.harvest import harvest_dump, harvest_endpoint
from kg.iris import slugify


def _default_out(address: str) -> Path:
    """A file name made from the address's host and path (``partner-example-org-sparql.nt``)."""
    parts = urlsplit(address)
    return Path(slugify(f"{parts.netloc} {parts.path}") + ".nt")


@click.command("harvest")
@click.argument("address", metavar="ENDPOINT|URL")
@click.option("--query", "query_file", metavar="FILE.rq", default=None,
              help="A CONSTRUCT or DESCRIBE to send to the SPARQL endpoint ADDRESS; without "
                   "it, ADDRESS is the URL of a dump (N-Triples, Turtle, RDF/XML ..., gzip).")
@click.option("--out", metavar="FILE.nt", default=None, type=click.Path(path_type=Path),
              help="The source file to write (default: named after the address, here).")
def harvest_command(address: str, query_file: str | None, out: Path | None) -> None:
    """Harvest a partner's data into a source file (N-Triples with its provenance).

    The file is a source like any other: name it in the next 'kg build', which
    validates it and gives it its own graph; harvesting publishes nothing.

    \b
      kg harvest https://partner.example/sparql --query people.rq --out sources/partner.nt
      kg harvest https://partner.example/dumps/latest.nt.gz --out sources/partner-dump.nt
      kg build sources/
    """
    target = out or _default_out(address)
    if query_file is not None:
        text = read_query_argument("@" + query_file)
        done = harvest_endpoint(address, text, target)
    else:
        done = harvest_dump(address, target)
    stdout.print(f"harvested {done.triples:,} triples from {address} into {done.path}")


COMMANDS = [harvest_command]
