"""Where a remote SPARQL store answers: query, update and Graph Store URLs.

``KG_STORE`` names the query endpoint. A root URL (no path) given alone
stands for an Oxigraph server's three services, ``/query``, ``/update`` and
``/store``; any other store names the others with ``KG_STORE_UPDATE`` and
``KG_STORE_GRAPHS``, and then a root URL is the query endpoint itself (QLever
answers there). See ``docs/deploy.md`` for Virtuoso, Fuseki, GraphDB and QLever.

>>> e = RemoteEndpoints.from_url("http://127.0.0.1:7878")
>>> e.query, e.update, e.graphs
('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
>>> e = RemoteEndpoints.from_url("http://db:8890/sparql", update="http://db:8890/sparql-auth")
>>> e.query, e.update, e.graphs
('http://db:8890/sparql', 'http://db:8890/sparql-auth', '')
>>> RemoteEndpoints.from_url("http://qlever:7001/", update="http://qlever:7001/").query
'http://qlever:7001/'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from kg.errors import UsageError
from kg.settings import Settings


@dataclass(frozen=True)
class RemoteEndpoints:
    """The URLs of one remote store, and the credentials that writes present."""

    query: str
    update: str
    graphs: str = ""
    user: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def from_url(cls, url: str, update: str = "", graphs: str = "", user: str = "",
                 password: str = "") -> RemoteEndpoints:
        """The endpoints a store URL stands for, with explicit ones taking precedence."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"a remote store is an http(s) URL, got {url!r}")
        if parts.path in ("", "/") and not update and not graphs:  # an Oxigraph server's root
            root = url.rstrip("/")
            return cls(root + "/query", update or root + "/update", graphs or root + "/store",
                       user, password)
        return cls(url, update or url, graphs, user, password)

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteEndpoints:
        """The endpoints of ``KG_STORE`` and its companion settings."""
        return cls.from_url(settings.store, settings.store_update, settings.store_graphs,
                            settings.store_user, settings.store_password)
