"""A real harvester (Sickle) harvests the real server (gunicorn) through resumption tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from sickle import Sickle
from sickle.iterator import OAIResponseIterator
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.backends import settings_env
from tests.schemas import assert_valid
from tests.support import Server

ITEMS = """
PREFIX bf: <http://id.loc.gov/ontologies/bibframe/>
PREFIX kg: <https://w3id.org/library-kg/ontology#>
PREFIX schema: <http://schema.org/>
SELECT ?item WHERE {
  VALUES ?class { bf:Instance kg:Agreement schema:Event }
  ?item a ?class
}"""


@pytest.fixture(scope="module")
def server(demo_store: Path, serving: dict[str, str]):
    # Two records a page, so the nine items of the demo take five pages.
    live = Server(demo_store, extra_env={**settings_env(serving), "KG_OAI_PAGE_SIZE": "2"})
    yield live
    live.stop()


def items_in_graph(server: Server) -> set[str]:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(ITEMS)
    client.setReturnFormat(JSON)
    return {row["item"]["value"] for row in client.query().convert()["results"]["bindings"]}


def test_sickle_harvests_every_record_in_dublin_core(server: Server) -> None:
    harvester = Sickle(server.url + "/oai", max_retries=0)
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    harvested = [r.header.identifier for r in records]
    assert len(harvested) == len(set(harvested))
    assert set(harvested) == items_in_graph(server)
    assert all(r.metadata["title"] and not r.deleted for r in records)
    article = next(r for r in records if "/resource/" in r.header.identifier)
    assert article.metadata["language"] == ["eng"]


def test_pages_are_valid_and_chained_by_tokens(server: Server) -> None:
    harvester = Sickle(server.url + "/oai", iterator=OAIResponseIterator, max_retries=0)
    pages = list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))
    assert len(pages) == 5
    for page in pages:
        assert_valid(page.raw.encode("utf-8"))


def test_sickle_identifies_and_lists_sets(server: Server) -> None:
    harvester = Sickle(server.url + "/oai", max_retries=0)
    identify = harvester.Identify()
    assert identify.protocolVersion == "2.0" and identify.deletedRecord == "persistent"
    specs = {s.setSpec for s in harvester.ListSets()}
    assert {"kind:resource", "kind:agreement", "kind:event"} <= specs
    events = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="kind:event"))
    assert len(events) == 6


def test_post_harvest(server: Server) -> None:
    harvester = Sickle(server.url + "/oai", http_method="POST", max_retries=0)
    assert len(list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))) == 9
