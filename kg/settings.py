"""Every setting, declared once: name, default and help.

Each setting is read from the environment variable ``KG_<NAME>``; CLI options
of the same name override it, and the web app factory takes a mapping for
tests. ``docs/configuration.md`` lists them all (a test checks it does).

>>> s = Settings.load({"port": "8080"}, environ={})
>>> s.port, s.host
(8080, '127.0.0.1')
"""

from __future__ import annotations

import os
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
