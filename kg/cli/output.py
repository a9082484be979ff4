"""What commands print: progress while a build runs, and its summary after."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.build import BuildOutcome
from kg.sources import Source

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class BuildProgress:
    """A live progress display on a terminal; silent when output is not one."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.completed:,} records"), TimeElapsedColumn(),
            console=stderr, transient=True, disable=not self.enabled)
        self._task = None

    def __enter__(self) -> BuildProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(*exc)

    def step(self, message: str) -> None:
        if self._task is not None:
            self._progress.update(self._task, description=message)

    def source(self, source: Source, index: int, total: int) -> None:
        description = f"[{index}/{total}] {source.label}"
        if self._task is None:
            self._task = self._progress.add_task(description, total=None)
        else:
            self._progress.update(self._task, description=description)

    def records(self, count: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, count)


def print_summary(outcome: BuildOutcome, verb: str) -> None:
    """The per-source table and the totals line."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column, justify in (("source", "left"), ("status", "left"), ("records", "right"),
                            ("triples", "right")):
        table.add_column(column, justify=justify)
    for summary in outcome.sources:
        table.add_row(summary.file, summary.status, f"{summary.records:,}",
                      f"{summary.triples:,}")
    stdout.print(table)
    errors = len(outcome.report.errors)
    warnings = len(outcome.report.warnings)
    line = (f"{len(outcome.sources)} sources: {outcome.records:,} records, "
            f"{outcome.triples:,} triples, {errors} errors")
    if warnings:
        line += f", {warnings} warnings"
    if outcome.report.skipped:
        line += f", {outcome.report.skipped:,} records skipped"
    stdout.print(f"{line}, {outcome.seconds:.1f} s {verb}")


def print_problems(outcome: BuildOutcome) -> None:
    """Every problem, one line each, on standard error."""
    for line in outcome.report.lines():
        click.echo(line, err=True)
