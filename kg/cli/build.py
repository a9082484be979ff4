"""``kg build``, ``kg validate``, ``kg info`` and ``kg rollback``."""

from __future__ import annotations

import click

from kg.build import BuildOutcome, build, check
from kg.bundled import bundled_path
from kg.cli.options import setting_option, settings_from
from kg.cli.output import BuildProgress, print_problems, print_summary, stdout
from kg.errors import UsageError, ValidationFailed
from kg.settings import Settings
from kg.sources import discover
from kg.store import open_store
from kg.store.releases import ReleaseStore
from kg.store.remote.client import SparqlClient
from kg.store.remote.endpoints import RemoteEndpoints
from kg.store.remote.publish import restore
from kg.validate import VALIDATORS

SOURCE = click.argument("sources", nargs=-1, type=click.Path(path_type=str))
VALIDATOR = setting_option("validator", type=click.Choice(VALIDATORS))
ON_ERROR = click.option(
    "--on-error", type=click.Choice(["fail", "skip"]), default="fail", show_default=True,
    help="What to do with a record that cannot be read (a broken MARC record, a row with "
         "too many cells): fail (publish nothing) or skip it (counted in the summary).")


@click.command("build")
@SOURCE
@setting_option("store")
@setting_option("releases")
@setting_option("base_iri")
@setting_option("keep_releases", type=int)
@VALIDATOR
@ON_ERROR
def build_command(sources: tuple[str, ...], store: str | None, releases: str | None,
                  base_iri: str | None, keep_releases: int | None, validator: str | None,
                  on_error: str) -> None:
    """Convert, validate and publish SOURCES as a new release.

    SOURCES are files or folders (CSV, YAML, JSON, Turtle, N-Triples, JSON-LD,
    RDF/XML, MARC 21 and MARCXML); without any, the bundled demo dataset is built. The release holds
    exactly these sources: one left out is dropped. Exit 0 published, 1 invalid
    data (nothing published), 2 usage or I/O error.
    """
    settings = settings_from(store=store, releases=releases, base_iri=base_iri,
                             keep_releases=keep_releases, validator=validator)
    folder, remote = release_target(settings)
    found = discover(sources or [bundled_path("demo")])
    with BuildProgress() as progress:
        try:
            outcome = build(found, folder, settings.base_iri, settings.keep_releases,
                            progress, settings.validator, on_error, remote=remote)
        except ValidationFailed as failure:
            _report_failure(failure, folder)
            raise
    print_problems(outcome)  # warnings, such as skipped records
    print_summary(outcome, "to publish")
    stdout.print(f"published release {outcome.release.id} in {settings.store}")


def _report_failure(failure: ValidationFailed, store: str) -> None:
    outcome: BuildOutcome = failure.report  # type: ignore[assignment]
    print_problems(outcome)
    current = ReleaseStore(store).current()
    kept = f"release {current.id} is still current" if current else "no release was published"
    failure.message = f"{len(outcome.report.errors)} problems found; nothing published ({kept})"


@click.command("validate")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=str))
@setting_option("base_iri")
@VALIDATOR
@ON_ERROR
def validate_command(sources: tuple[str, ...], base_iri: str | None,
                     validator: str | None, on_error: str) -> None:
    """Check SOURCES against the shapes without publishing anything.

    References must resolve among the given sources. Exit 0 conforms, 1 does
    not, 2 error.
    """
    settings = settings_from(base_iri=base_iri, validator=validator)
    with BuildProgress() as progress:
        outcome = check(discover(sources), settings.base_iri, progress, settings.validator,
                        on_error)
    print_problems(outcome)
    print_summary(outcome, "to check")
    if not outcome.report.conforms:
        raise ValidationFailed(f"{len(outcome.report.errors)} problems found", outcome)
    stdout.print("the sources conform")


@click.command("info")
@setting_option("store")
@setting_option("releases")
@click.option("--json", "as_json", is_flag=True, help="Print the release manifest as JSON.")
def info_command(store: str | None, releases: str | None, as_json: bool) -> None:
    """Show the current release: its sources, graphs and counts by kind.

    With a remote store, the release is the one the store holds (what is served).
    """
    settings = settings_from(store=store, releases=releases)
    folder = ReleaseStore(release_target(settings)[0])
    release = open_store(settings).snapshot().release if settings.store_is_remote \
        else folder.require_current()
    manifest = release.manifest()
    if as_json:
        import json
        click.echo(json.dumps(manifest, indent=2, ensure_ascii=False))
        return
    stdout.print(f"release   {release.id} (created {manifest['created']})")
    stdout.print(f"store     {settings.store}")
    stdout.print(f"base IRI  {manifest['base_iri']}")
    stdout.print(f"triples   {manifest['triples']:,}")
    counts = manifest["counts"].items()
    stdout.print("counts    " + ", ".join(f"{kind} {n:,}" for kind, n in counts))
    stdout.print("sources")
    for name, entry in manifest["sources"].items():
        stdout.print(f"  {entry['file']}  ->  {manifest['base_iri']}graph/{name}  "
                     f"({entry['records']:,} records, {entry['triples']:,} triples)")
    kept = [r.id for r in folder.releases()]
    stdout.print("kept      " + ", ".join(kept))


@click.command("rollback")
@setting_option("store")
@setting_option("releases")
def rollback_command(store: str | None, releases: str | None) -> None:
    """Serve the previous release again (the current one stays on disk).

    With a remote store, the previous release's graphs are put back in it first.
    """
    settings = settings_from(store=store, releases=releases)
    folder, remote = release_target(settings)
    store_releases = ReleaseStore(folder)
    with BuildProgress() as progress:
        swap_in = (lambda older: restore(remote, store_releases, older, progress)) \
            if remote is not None else None
        release = store_releases.rollback(swap_in)
    stdout.print(f"release {release.id} is current again")


def release_target(settings: Settings) -> tuple[str, SparqlClient | None]:
    """The folder of releases, and the remote store that builds also publish to."""
    if not settings.store_is_remote:
        return settings.store, None
    if not settings.releases:
        raise UsageError("with a remote store (KG_STORE=URL), give the folder of release "
                         "files too: --releases DIR or KG_RELEASES")
    # Writes of large batches may take longer than a query is allowed to.
    timeout = max(60.0, settings.query_timeout * 6)
    return settings.releases, SparqlClient(RemoteEndpoints.from_settings(settings), timeout)


COMMANDS = [build_command, validate_command, info_command, rollback_command]
