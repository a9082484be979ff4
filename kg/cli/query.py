"""``kg query``: a SPARQL query against the current release, or any SPARQL endpoint."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from kg.cli.options import setting_option, settings_from
from kg.cli.output import stdout
from kg.errors import UsageError
from kg.formats import rdf_format, result_format
from kg.query import Answer, rows, run_query, write_answer
from kg.query_remote import query_endpoint
from kg.store import open_store

FORMATS = ["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld", "rdf", "trig", "nq"]


def read_query_argument(query: str) -> str:
    """The query text: the argument itself, or a file's content for ``@file.rq``."""
    if query.startswith("@"):
        path = Path(query[1:])
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(f"{path}: cannot read query file: {error.strerror}") from error
    return query


@click.command("query")
@click.argument("query")
@setting_option("store")
@click.option("--endpoint", metavar="URL", default=None,
              help="Send the query to this SPARQL endpoint instead of the local store.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None,
              help="Output format; default: a table for SELECT, Turtle for CONSTRUCT.")
def query_command(query: str, store: str | None, endpoint: str | None,
                  output_format: str | None) -> None:
    """Run QUERY (SPARQL text, or @file.rq) against the current release or an endpoint."""
    settings = settings_from(store=store)
    text = read_query_argument(query)
    answer: Answer
    if endpoint:
        answer = query_endpoint(endpoint, text, settings.query_timeout * 3)
    else:
        snapshot = open_store(settings).snapshot()
        answer = run_query(snapshot, text, allowed_services=settings.service_allow_list)
    if answer.form == "ask" and output_format in (None, "table"):
        click.echo("true" if bool(answer.result) else "false")
        return
    if answer.form == "select" and output_format in (None, "table"):
        names, data = rows(answer)
        table = Table(*names, show_lines=False)
        count = 0
        for row in data:
            table.add_row(*row)
            count += 1
        stdout.print(table)
        stdout.print(f"{count} rows")
        return
    name = output_format or ("ttl" if answer.form == "graph" else "json")
    if answer.form == "graph":
        fmt = rdf_format(name)
    else:
        fmt = result_format(name)
    click.echo(write_answer(answer, fmt).decode("utf-8"), nl=False)


COMMANDS = [query_command]
