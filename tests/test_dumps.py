"""Dumps: made at publish time, reloadable, incremental, listed and served safely."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import shutil
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, parse, serialize
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.export import dumps
from kg.export.dumps import DUMPS, INDEX, read_index
from kg.export.gzipped import DumpFile
from kg.namespaces import PREFIXES
from kg.store.releases import ReleaseStore
from kg.store.staging import StagingView
from tests.conftest import BASE, build_store
from tests.support import DEMO, Server

MARC_SAMPLE = Path(__file__).parent / "data" / "marc" / "loc-books.mrc"

# An RDF source with blank nodes, so that isomorphism is more than set equality.
EXTRA = """@prefix schema: <http://schema.org/> .
<http://example.org/thing> schema:name "Thing"@en ;
    schema:address [ schema:streetAddress "19 Nguyễn Hữu Thọ" ; schema:postalCode "700000" ] .
"""
FORMATS = {"nt": RdfFormat.N_TRIPLES, "nq": RdfFormat.N_QUADS, "ttl": RdfFormat.TURTLE,
           "jsonld": RdfFormat.JSON_LD}


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sources") / "demo"
    shutil.copytree(DEMO, folder)
    (folder / "extra.ttl").write_text(EXTRA, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def store(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("dumps") / "store", sources)


def store_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The graphs the dump writer reads back out of the store from now on."""
    read: list[str] = []
    original = StagingView.dump

    def recording(self, output, format, graph, prefixes=None):  # noqa: A002
        read.append(graph.value)
        return original(self, output, format, graph, prefixes)

    monkeypatch.setattr(StagingView, "dump", recording)
    return read


def to_rdflib(quads) -> Graph:
    """Triples (graph names dropped) as an rdflib graph, through N-Triples."""
    text = serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES)
    return Graph().parse(data=text.decode("utf-8"), format="nt")


def reload(path: Path, format_name: str) -> Store:
    """A dump loaded into a fresh Oxigraph store (triples go to the default graph)."""
    fresh = Store()
    with gzip.open(path, "rb") as handle:
        fresh.bulk_load(handle, FORMATS[format_name])
    return fresh


def dump_file(release_path: Path, format_name: str) -> Path:
    return release_path / DUMPS / read_index(release_path)["files"][format_name]["name"]


def assert_same_as_release(release_path: Path) -> None:
    release = Store.read_only(str(release_path / "db"))
    graphs = sorted(release.named_graphs(), key=lambda g: g.value)
    union = to_rdflib(release.quads_for_pattern(None, None, None, None))
    for name in ("nt", "ttl"):
        reloaded = reload(dump_file(release_path, name), name)
        assert list(reloaded.named_graphs()) == []
        assert isomorphic(to_rdflib(reloaded), union), name
    for name in ("nq", "jsonld"):
        reloaded = reload(dump_file(release_path, name), name)
        assert sorted(reloaded.named_graphs(), key=lambda g: g.value) == graphs, name
        assert not list(reloaded.quads_for_pattern(None, None, None, DefaultGraph()))
        for graph in graphs:
            assert isomorphic(to_rdflib(reloaded.quads_for_pattern(None, None, None, graph)),
                              to_rdflib(release.quads_for_pattern(None, None, None, graph))), \
                (name, graph)


def test_every_dump_reloads_isomorphic_to_the_release(store: Path) -> None:
    release = ReleaseStore(store).require_current()
    assert_same_as_release(release.path)
    index = read_index(release.path)
    for name, entry in index["files"].items():
        data = dump_file(release.path, name).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()


def test_turtle_and_json_ld_are_oxigraphs_writing_of_each_graphs_n_triples(store: Path) -> None:
    """Each graph is read once, as N-Triples; Turtle and JSON-LD are Oxigraph's writing of it."""
    release = ReleaseStore(store).require_current()
    db = Store.read_only(str(release.path / "db"))
    index = read_index(release.path)
    for graph in db.named_graphs():
        text = gzip.decompress(_piece(dump_file(release.path, "nt"),
                                      index["files"]["nt"]["graphs"][graph.value]))
        for name, options in (("ttl", {"prefixes": PREFIXES}), ("jsonld", {})):
            piece = gzip.decompress(_piece(dump_file(release.path, name),
                                           index["files"][name]["graphs"][graph.value]))
            written = serialize(parse(text, RdfFormat.N_TRIPLES), format=FORMATS[name], **options)
            assert written in piece, (name, graph)
    # The N-Triples read of each graph is gone once the dumps are written.
    assert sorted(p.name for p in (release.path / DUMPS).iterdir()) == sorted(
        [INDEX, *(entry["name"] for entry in index["files"].values())])


def test_helper_processes_write_the_same_members(store: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A large graph's Turtle and JSON-LD come from helper processes: the same bytes."""
    release = ReleaseStore(store).require_current()
    db = Store.read_only(str(release.path / "db"))
    lines = tmp_path / "graph.nt"
    db.dump(lines, RdfFormat.N_TRIPLES, from_graph=NamedNode(BASE + "graph/people-csv"))
    written = {}
    for threshold in (1 << 40, 0):  # never large, always large
        monkeypatch.setattr(dumps, "PARALLEL_BYTES", threshold)
        buffers = {name: io.BytesIO() for name in FORMATS}
        outputs = {name: DumpFile(buffer) for name, buffer in buffers.items()}
        with dumps._Helpers(tmp_path / "scratch") as helpers:
            dumps._dump_graph(NamedNode(BASE + "graph/people-csv"), lines, outputs, helpers)
        written[threshold] = {name: gzip.decompress(b.getvalue()) for name, b in buffers.items()}
    assert written[0] == written[1 << 40]
    assert b"schema:Person" in written[0]["ttl"] and b'"@graph"' in written[0]["jsonld"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nt"]  # pieces removed


def test_a_rebuild_copies_unchanged_graphs_and_stays_isomorphic(store: Path, sources: Path,
                                                               tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(store, copy, symlinks=True)
    people = tmp_path / "people"
    shutil.copytree(sources, people)
    with (people / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("le-van-c,Lê Văn C,,Lê,Văn C,,\n")
    parent = ReleaseStore(copy).require_current()
    build_store(copy, people)
    child = ReleaseStore(copy).require_current()
    assert child.id != parent.id
    assert_same_as_release(child.path)
    old, new = read_index(parent.path), read_index(child.path)
    people_graph = BASE + "graph/people-csv"
    # Every graph but the changed source's and the metadata is copied as bytes:
    # sources and derived graphs (agents) alike.
    copied = set(new["files"]["nq"]["graphs"]) - {people_graph, BASE + "graph/meta"}
    assert BASE + "graph/resources-yaml" in copied
    for name in FORMATS:
        for graph in copied:
            old_piece = _piece(dump_file(parent.path, name), old["files"][name]["graphs"][graph])
            new_piece = _piece(dump_file(child.path, name), new["files"][name]["graphs"][graph])
            assert old_piece == new_piece, (name, graph)
    piece = _piece(dump_file(child.path, "nq"), new["files"]["nq"]["graphs"][people_graph])
    assert "Lê Văn C" in gzip.decompress(piece).decode("utf-8")


def _piece(path: Path, where: list[int]) -> bytes:
    with path.open("rb") as handle:
        handle.seek(where[0])
        return handle.read(where[1])


# Serving ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(store: Path):
    from web import create_app

    app = create_app({"store": str(store)})
    app.config["TESTING"] = True
    return app.test_client()


def test_listing_for_people_and_programs(client, store: Path) -> None:
    index = read_index(ReleaseStore(store).require_current().path)
    html = client.get("/dumps/", headers={"Accept": "text/html"}).get_data(as_text=True)
    listed = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    assert listed == client.get("/dumps/?format=json").get_json()
    for name, entry in index["files"].items():
        assert entry["name"] in html and entry["sha256"] in html
        (found,) = [f for f in listed["files"] if f["suffix"] == name]
        assert (found["size"], found["sha256"]) == (entry["size"], entry["sha256"])
        response = client.get(found["url"])
        assert response.status_code == 200
        assert response.content_type == "application/gzip"
        assert hashlib.sha256(response.get_data()).hexdigest() == entry["sha256"]


def test_checksums_file_and_latest_links(client) -> None:
    sums = client.get("/dumps/SHA256SUMS").get_data(as_text=True).splitlines()
    assert len(sums) == 4
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256(client.get(f"/dumps/{name}").get_data()).hexdigest() == digest
    response = client.get("/dumps/latest.ttl.gz")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(".ttl.gz")


def test_range_requests_resume_a_download(client) -> None:
    name = client.get("/dumps/?format=json").get_json()["files"][0]["name"]
    whole = client.get(f"/dumps/{name}").get_data()
    part = client.get(f"/dumps/{name}", headers={"Range": "bytes=100-"})
    assert part.status_code == 206
    assert part.get_data() == whole[100:]


@pytest.mark.parametrize("path", [
    "/dumps/../manifest.json",
    "/dumps/%2e%2e/manifest.json",
    "/dumps/..%2fmanifest.json",
    "/dumps/%2e%2e%2fcurrent%2fmanifest.json",
    "/dumps/index.json",
    "/dumps/dump-00001-x.nt.gz",
    "/dumps/dump-99999-20200101T000000Z.nt.gz",
    "/dumps/latest.sh.gz",
    "/dumps//etc/passwd",
    "/dumps/%2fetc%2fpasswd",
    "/dumps/dump-00001-20200101T000000Z.nt.gz%00.txt",
])
def test_path_tricks_get_4xx(live_dumps: Server, path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", live_dumps.port, timeout=10)
    connection.request("GET", path)  # sent as written: no client-side normalization
    response = connection.getresponse()
    body = response.read()
    assert 400 <= response.status < 500, (path, response.status)
    assert b"manifest" not in body.lower() or b"base_iri" not in body
    assert b"root:" not in body


@pytest.fixture(scope="module")
def live_dumps(store: Path):
    server = Server(store)
    yield server
    server.stop()


def test_a_kept_release_stays_downloadable_after_a_publish(store: Path, sources: Path,
                                                          tmp_path: Path) -> None:
    from web import create_app

    copy = tmp_path / "store"
    shutil.copytree(store, copy, symlinks=True)
    client = create_app({"store": str(copy)}).test_client()
    before = client.get("/dumps/?format=json").get_json()
    build_store(copy, DEMO)  # the extra source is dropped: a new release
    after = client.get("/dumps/?format=json").get_json()
    assert after["release"] != before["release"]
    old = before["files"][0]
    response = client.get(f"/dumps/{old['name']}")
    assert response.status_code == 200
    assert hashlib.sha256(response.get_data()).hexdigest() == old["sha256"]


def test_an_unchanged_agents_graph_is_copied_too(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The agents graph (derived from MARC headings) is copied when no heading changed."""
    sources = tmp_path / "sources"
    shutil.copytree(DEMO, sources)
    shutil.copy(MARC_SAMPLE, sources / "books.mrc")
    build_store(tmp_path / "store", sources)
    parent = ReleaseStore(tmp_path / "store").require_current()
    with (sources / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("le-van-c,Lê Văn C,,Lê,Văn C,,\n")
    read_back = store_reads(monkeypatch)
    build_store(tmp_path / "store", sources)
    assert read_back == [BASE + "graph/meta"]  # the people graph came from its text
    child = ReleaseStore(tmp_path / "store").require_current()
    agents = BASE + "graph/agents"
    for name in FORMATS:
        old = read_index(parent.path)["files"][name]["graphs"][agents]
        new = read_index(child.path)["files"][name]["graphs"][agents]
        assert old[1] > 100
        assert _piece(dump_file(parent.path, name), old) == \
            _piece(dump_file(child.path, name), new), name
