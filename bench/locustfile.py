"""The clients of the load test (:mod:`bench.load`), as locust users.

- :class:`Reader`: one of many users at once, each from its own address (sent
  as ``X-Forwarded-For``, which the server trusts from the loopback): entity
  pages, RDF descriptions by content negotiation, search, SPARQL queries of a
  partner's script and an OAI-PMH harvester following resumption tokens, with
  a human pause between requests.
- :class:`SparqlPartner`: the SPARQL queries alone, against ``/sparql`` of
  ``kg serve`` or ``/query`` of ``oxigraph serve`` (the baseline), by
  ``KG_BENCH_SPARQL_PATH``.

The store's counts by kind come in ``KG_BENCH_COUNTS`` (JSON), its base IRI
in ``KG_BENCH_BASE``. Every answer but a 200 (or an OAI-PMH error inside a
200) counts as a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import urllib.parse

from locust import FastHttpUser, between, task

COUNTS: dict[str, int] = json.loads(os.environ.get("KG_BENCH_COUNTS", "{}"))
BASE = os.environ.get("KG_BENCH_BASE", "http://127.0.0.1:5000/")
SPARQL_PATH = os.environ.get("KG_BENCH_SPARQL_PATH", "/sparql")
PAGES = [("person", "p"), ("resource", "r"), ("organization", "uni-"), ("event", "e"),
         ("agreement", "a")]
WORDS = ["cuong", "Cường", "nguyen van", "thu vien", "dữ liệu", "he thong thong tin", "linh",
         "Trần Minh", "giải pháp", "mo hinh", "dai hoc kinh te", "vy"]
PREFIXES = ("PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX org: <http://www.w3.org/ns/org#> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")
# name -> query (with {n} for a random entity number); a partner's usual mix
QUERIES = {
    "sparql: name of a person": "SELECT ?name WHERE { <{base}id/person/p{n}> foaf:name ?name }",
    "sparql: posts of a person": "SELECT ?unit ?label WHERE { ?m org:member <{base}id/person/p{n}>"
                                 " ; org:organization ?unit . ?unit skos:prefLabel ?label }",
    "sparql: people of a unit": "SELECT ?p ?name WHERE { ?m org:organization "
                                "<{base}id/organization/uni-{n}-thu-vien> ; org:member ?p . "
                                "?p foaf:name ?name } LIMIT 100",
    "sparql: a book as Turtle": "CONSTRUCT { <{base}id/resource/r{n}> ?p ?o } WHERE { "
                                "<{base}id/resource/r{n}> ?p ?o }",
    "sparql: books on a subject": "SELECT (COUNT(?b) AS ?n) WHERE { ?b dcterms:subject "
                                  "<{base}id/concept/topic-{t}> }",
}
ADDRESSES = itertools.count(1)
OAI_ERROR = re.compile(rb"<error code=")


def _sparql(user: FastHttpUser, rng: random.Random) -> None:
    name = rng.choice(sorted(QUERIES))
    people, unis = COUNTS.get("person", 1), max(1, COUNTS.get("organization", 5) // 5)
    number = rng.randrange(unis if "unit" in name else
                           COUNTS.get("resource", 1) if "book" in name else people)
    query = PREFIXES + QUERIES[name].replace("{base}", BASE).replace("{n}", str(number)) \
        .replace("{t}", str(rng.randrange(14)))
    accept = "text/turtle" if "CONSTRUCT" in query else "application/sparql-results+json"
    user.client.get(f"{SPARQL_PATH}?{urllib.parse.urlencode({'query': query})}", name=name,
                    headers={**user.headers, "Accept": accept})


class Reader(FastHttpUser):
    """A reader, a partner's script and a harvester in one: the service's usual day."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        number = next(ADDRESSES)
        self.rng = random.Random(number)
        self.headers = {"X-Forwarded-For": f"198.18.{number // 250}.{number % 250 + 1}",
                        "Accept-Language": self.rng.choice(["vi", "en"])}
        self.token: str | None = None

    def _entity(self) -> tuple[str, str]:
        kind, prefix = self.rng.choice(PAGES)
        count = COUNTS.get(kind, 1) if kind != "organization" else COUNTS.get(kind, 5) // 5
        return kind, f"{prefix}{self.rng.randrange(max(1, count))}"

    @task(6)
    def page(self) -> None:
        kind, key = self._entity()
        self.client.get(f"/page/{kind}/{key}", name="entity page", headers=self.headers)

    @task(2)
    def data(self) -> None:
        kind, key = self._entity()  # 303 from /id/ to /data/, followed
        self.client.get(f"/id/{kind}/{key}", name="RDF by /id/ (303 + Turtle)",
                        headers={**self.headers, "Accept": "text/turtle"})

    @task(3)
    def search(self) -> None:
        word = urllib.parse.quote(self.rng.choice(WORDS))
        self.client.get(f"/search?q={word}", name="search", headers=self.headers)

    @task(3)
    def sparql(self) -> None:
        _sparql(self, self.rng)

    @task(2)
    def harvest(self) -> None:
        if self.token:
            query = {"verb": "ListRecords", "resumptionToken": self.token}
        else:
            query = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
        with self.client.get(f"/oai?{urllib.parse.urlencode(query)}", name="OAI-PMH ListRecords",
                             headers=self.headers, catch_response=True) as response:
            body = response.content or b""
            if response.status_code == 200 and OAI_ERROR.search(body):
                response.failure("OAI-PMH error: " + body[:200].decode("utf-8", "replace"))
            found = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
            self.token = found.group(1).decode() if found else None


class SparqlPartner(FastHttpUser):
    """The SPARQL queries of the mix alone, for kg serve and for Oxigraph's own server."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        number = next(ADDRESSES)
        self.rng = random.Random(number)
        self.headers = {"X-Forwarded-For": f"198.18.{number // 250}.{number % 250 + 1}"}

    @task
    def sparql(self) -> None:
        _sparql(self, self.rng)
