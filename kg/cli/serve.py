"""``kg serve``: the web app on gunicorn, a production WSGI server."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from kg.cli.options import setting_option, settings_from
from kg.errors import UsageError
from kg.settings import Settings
from kg.store import open_store
from kg.store.releases import ReleaseStore


def _check_release(settings: Settings, base_iri_given: bool) -> None:
    """Refuse to start without a release, or with a base IRI the release was not built with."""
    if settings.store_is_remote:
        # The store must hold a release whose files are in KG_RELEASES.
        snapshot = open_store(settings).snapshot()
        release, built_with = snapshot.release, snapshot.base_iri
    else:
        release = ReleaseStore(settings.store).require_current()
        built_with = release.manifest()["base_iri"]
    if base_iri_given and built_with != settings.base_iri:
        raise UsageError(f"release {release.id} was built with base IRI {built_with}, not "
                         f"{settings.base_iri}; rebuild with --base-iri {settings.base_iri}")


def _check_limits(settings: Settings) -> None:
    """Refuse to start with limits that no worker could apply (rather than fail in each)."""
    from web.clients import parse_networks
    from web.slots import Limits

    parse_networks(settings.trusted_proxy_list)
    Limits(settings.query_slots, settings.query_queue, settings.client_queries,
           settings.query_timeout)


class _Gunicorn:
    """gunicorn's application, configured in code rather than from a file."""

    def __init__(self, settings: Settings) -> None:
        from gunicorn.app.base import BaseApplication

        outer = self

        class Application(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in outer.options().items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                from web import create_app

                return create_app(asdict(settings))

        self.settings = settings
        self.application = Application()

    def options(self) -> dict[str, Any]:
        settings = self.settings
        return {
            "bind": f"{settings.host}:{settings.port}",
            "workers": settings.workers,
            "threads": settings.threads,
            "worker_class": "gthread",
            # Queries are stopped at query_timeout; a worker silent for much
            # longer than that is stuck and gunicorn replaces it.
            "timeout": max(30, int(settings.query_timeout * 3)),
            # GET /sparql?query=... carries the query in the request line.
            "limit_request_line": 8190,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "info",
            "post_worker_init": _ready_worker,
        }

    def run(self) -> None:
        self.application.run()


def _ready_worker(worker: Any) -> None:
    """gunicorn's post_worker_init: warm the worker's app and freeze its heap (web.warmup)."""
    from web.warmup import ready_worker

    worker.log.info(ready_worker(worker.wsgi))


@click.command("serve")
@setting_option("store")
@setting_option("releases")
@setting_option("host")
@setting_option("port", type=int)
@setting_option("base_iri")
@setting_option("workers", type=int)
@setting_option("threads", type=int)
@click.pass_context
def serve_command(ctx: click.Context, store: str | None, releases: str | None,
                  host: str | None, port: int | None, base_iri: str | None,
                  workers: int | None, threads: int | None) -> None:
    """Serve the current release: pages, /sparql and exports (on gunicorn)."""
    import os

    settings = settings_from(store=store, releases=releases, host=host, port=port,
                             base_iri=base_iri, workers=workers, threads=threads)
    _check_release(settings, base_iri is not None or "KG_BASE_IRI" in os.environ)
    _check_limits(settings)
    click.echo(f"serving {settings.store} at http://{settings.host}:{settings.port}/", err=True)
    _Gunicorn(settings).run()


COMMANDS = [serve_command]
