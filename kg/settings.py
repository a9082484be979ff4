"""Every setting, declared once: name, default and help.

Each setting is read from the environment variable ``KG_<NAME>``; CLI options
of the same name override it, and the web app factory takes a mapping for
tests. ``docs/configuration.md`` lists them all (a test checks it does).

>>> s = Settings.load({"port": "8080"}, environ={})
>>> s.port, s.host
(8080, '127.0.0.1')
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kg.errors import UsageError


@dataclass(frozen=True)
class Setting:
    """One setting: its name, type, default and what it is for."""

    name: str
    type: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        """The environment variable that sets it."""
        return "KG_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("store", str, "var/store",
            "Where the store lives: a directory for the embedded Oxigraph store, "
            "or an http(s) URL of a SPARQL store."),
    Setting("base_iri", str, "http://127.0.0.1:5000/",
            "Base IRI that entity IRIs are minted under ({BASE}id/{kind}/{key}); "
            "must end with '/'."),
    Setting("host", str, "127.0.0.1", "Address `kg serve` listens on."),
    Setting("port", int, 5000, "Port `kg serve` listens on."),
    Setting("workers", int, 2, "Web worker processes of `kg serve`."),
    Setting("threads", int, 4, "Threads per web worker."),
    Setting("keep_releases", int, 3, "Published releases kept for `kg rollback`."),
    Setting("query_timeout", float, 10.0, "Seconds a SPARQL query may run before it is stopped."),
    Setting("max_rows", int, 10000, "Most rows (or triples) a SPARQL answer carries."),
    Setting("max_query_bytes", int, 65536, "Largest SPARQL query accepted, in bytes."),
    Setting("service_allow", str, "",
            "Space-separated SPARQL endpoints that SERVICE may call; empty refuses all."),
    Setting("write_token", str, "",
            "Token that write requests must present; empty disables writes over HTTP."),
    Setting("languages", str, "vi en", "Languages of the interface, preferred first."),
    Setting("dataset_title", str, "Library knowledge graph",
            "Name of the dataset (VoID/DCAT description) and of the OAI-PMH repository."),
    Setting("dataset_publisher", str, "TDTU INSPiRE Library",
            "Publisher of the dataset, as named in its VoID/DCAT description."),
    Setting("dataset_licence", str, "https://creativecommons.org/publicdomain/zero/1.0/",
            "Licence of the data (a web address), stated in the dataset description."),
    Setting("admin_email", str, "library@example.org",
            "Contact address the OAI-PMH provider gives harvesters (Identify's adminEmail)."),
    Setting("oai_page_size", int, 100,
            "Records (or headers) in one OAI-PMH list response; the rest follow by "
            "resumption token."),
    Setting("validator", str, "auto",
            "How changed sources are checked against the shapes: shacl (pySHACL, the "
            "reference), sparql (the shapes compiled to SPARQL, for large sources) or auto "
            "(pySHACL up to 1,000 changed triples, SPARQL above)."),
    Setting("query_slots", int, 4,
            "SPARQL queries evaluated at once by all web workers of this server together; "
            "0 for no limit."),
    Setting("query_queue", int, 4,
            "SPARQL queries that may wait for a free slot (up to KG_QUERY_TIMEOUT seconds); "
            "more are refused with 503 and Retry-After."),
    Setting("client_queries", int, 2,
            "SPARQL queries one client may have running or waiting at once; more are refused "
            "with 429 and Retry-After; 0 for no limit."),
    Setting("rate_limit", float, 0.0,
            "Requests per second one client may make on average (after a burst of "
            "KG_RATE_BURST); more are refused with 429 and Retry-After; 0 turns it off."),
    Setting("rate_burst", int, 20, "Requests one client may make at once before KG_RATE_LIMIT "
            "holds it back."),
    Setting("trusted_proxies", str, "",
            "Space-separated addresses or networks (CIDR) of reverse proxies whose "
            "X-Forwarded-For header names the client; empty trusts none."),
    Setting("run_dir", str, "",
            "Directory of the server's shared state (query slots, rate limits, build jobs); "
            "empty: one per store in the system's temporary directory."),
    Setting("max_body_bytes", int, 1048576,
            "Largest request body any POST accepts, in bytes; a larger one gets 413."),
    Setting("build_sources", str, "",
            "Sources that POST /admin/build publishes (files or folders, separated by ':'); "
            "empty: builds over HTTP are off."),
    Setting("releases", str, "",
            "With a SPARQL store: the folder of release files (manifest, index, dumps, OAI-PMH) "
            "that builds write and web hosts read, shared or synced between them."),
    Setting("store_update", str, "",
            "SPARQL Update endpoint of a remote store; default: /update of an Oxigraph server's "
            "root URL, else the query URL itself."),
    Setting("store_graphs", str, "",
            "Graph Store Protocol endpoint of a remote store; default: /store of an Oxigraph "
            "server's root URL, else none (graphs are sent with SPARQL Update)."),
    Setting("store_user", str, "", "User name for writes to a remote store."),
    Setting("store_password", str, "", "Password for writes to a remote store."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _convert(setting: Setting, raw: Any) -> Any:
    if isinstance(raw, setting.type) or raw is None:
        return raw
    try:
        return setting.type(raw)
    except (TypeError, ValueError):
        wanted = {int: "a whole number", float: "a number"}.get(setting.type, "text")
        raise UsageError(f"{setting.env} must be {wanted}, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of one run."""

    store: str
    base_iri: str
    host: str
    port: int
    workers: int
    threads: int
    keep_releases: int
    query_timeout: float
    max_rows: int
    max_query_bytes: int
    service_allow: str
    write_token: str
    languages: str
    dataset_title: str
    dataset_publisher: str
    dataset_licence: str
    admin_email: str
    oai_page_size: int
    validator: str
    query_slots: int
    query_queue: int
    client_queries: int
    rate_limit: float
    rate_burst: int
    trusted_proxies: str
    run_dir: str
    max_body_bytes: int
    build_sources: str
    releases: str
    store_update: str
    store_graphs: str
    store_user: str
    store_password: str

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults, then ``KG_*`` variables, then overrides (None means unset)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = setting.default
            if setting.env in environ:
                raw = environ[setting.env]
            if overrides and overrides.get(setting.name) is not None:
                raw = overrides[setting.name]
            values[setting.name] = _convert(setting, raw)
        unknown = set(overrides or ()) - set(_BY_NAME)
        if unknown:
            raise UsageError(f"unknown settings: {', '.join(sorted(unknown))}")
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, raw in changes.items():
            values[name] = _convert(_BY_NAME[name], raw)
        return Settings(**values)

    @property
    def store_is_remote(self) -> bool:
        """True if the store is a SPARQL service rather than a directory."""
        return self.store.startswith(("http://", "https://"))

    @property
    def store_path(self) -> Path:
        """The embedded store's directory."""
        return Path(self.store).expanduser()

    @property
    def language_list(self) -> list[str]:
        """The interface languages, preferred first."""
        return self.languages.split()

    @property
    def service_allow_list(self) -> list[str]:
        """The SERVICE endpoints that queries may call."""
        return self.service_allow.split()

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The reverse proxies whose X-Forwarded-For is believed."""
        return self.trusted_proxies.split()

    @property
    def build_source_list(self) -> list[str]:
        """The sources that builds over HTTP publish."""
        return [part for part in self.build_sources.split(os.pathsep) if part.strip()]

    @property
    def run_path(self) -> Path:
        """Where the server keeps state its workers share (made on first use)."""
        if self.run_dir:
            return Path(self.run_dir).expanduser()
        # One per store, so that every worker (and every server) of a store shares it.
        digest = hashlib.sha256(str(self.store_path.resolve()).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"kg-run-{os.getuid()}-{digest}"
