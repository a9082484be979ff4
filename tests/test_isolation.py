"""One client cannot take the service from the others: query slots and a queue
shared by every worker, a cap on one client's queries, a rate limit per client
(429 and 503 with Retry-After), clients told apart by address or trusted proxy.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import Overloaded, TooManyRequests
from tests.backends import settings_env
from tests.sparql_support import http
from tests.support import Server
from web.clients import client_address, parse_networks
from web.slots import QUEUE_BASE, Limits, QuerySlots

CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = "ASK { ?s a foaf:Person }"
PROXY = parse_networks(["127.0.0.1", "10.8.0.0/16", "::1"])


@pytest.mark.parametrize("remote, forwarded, trusted, client", [
    ("192.0.2.1", None, PROXY, "192.0.2.1"),
    ("192.0.2.1", "203.0.113.5", PROXY, "192.0.2.1"),  # not a proxy: the header is ignored
    ("127.0.0.1", "203.0.113.5", PROXY, "203.0.113.5"),
    ("127.0.0.1", "203.0.113.5", (), "127.0.0.1"),  # no proxy trusted
    ("127.0.0.1", "spoofed, 203.0.113.5, 10.8.3.4", PROXY, "203.0.113.5"),
    ("127.0.0.1", "198.51.100.1,203.0.113.5", PROXY, "203.0.113.5"),
    ("127.0.0.1", "10.8.0.9, 10.8.3.4", PROXY, "10.8.0.9"),  # all inside: the first
    ("::1", "2001:db8::7", PROXY, "2001:db8::7"),
    ("127.0.0.1", "", PROXY, "127.0.0.1"),
])
def test_client_address(remote: str, forwarded: str | None, trusted, client: str) -> None:
    assert client_address(remote, forwarded, trusted) == client


def test_a_bad_proxy_setting_is_a_clear_error() -> None:
    with pytest.raises(Exception, match="KG_TRUSTED_PROXIES: 'proxy.example' is not"):
        parse_networks(["proxy.example"])


HOLDER = """
import sys, time
from pathlib import Path
from web.slots import Limits, QuerySlots
ticket = QuerySlots(Path(sys.argv[1]), Limits(1, 0, 0, 0.1)).admit("other")
print("held", flush=True)
time.sleep(60)
"""


def test_a_slot_held_by_another_process_counts_and_is_freed_when_it_dies(
        tmp_path: Path) -> None:
    path = tmp_path / "slots.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        slots = QuerySlots(path, Limits(1, 0, 0, 0.1))
        with pytest.raises(Overloaded) as refused:
            slots.admit("me")
        assert refused.value.retry_after == 1
        holder.send_signal(signal.SIGKILL)  # a worker killed mid-query
        holder.wait()
        slots.admit("me").release()  # the kernel let go of its slot
    finally:
        holder.kill()
        holder.wait()


def test_slots_queue_and_one_clients_share(tmp_path: Path) -> None:
    slots = QuerySlots(tmp_path / "slots.lock", Limits(1, 1, 1, 5.0))
    first = slots.admit("a")
    with pytest.raises(TooManyRequests, match="already have 1 queries"):
        slots.admit("a")
    waited: dict[str, float] = {}

    def wait_in_queue() -> None:
        began = time.monotonic()
        slots.admit("b").release()
        waited["b"] = time.monotonic() - began

    thread = threading.Thread(target=wait_in_queue)
    thread.start()
    _wait_until_held(tmp_path / "slots.lock", QUEUE_BASE)
    with pytest.raises(Overloaded, match="1 query slots are busy and 1 queries are waiting"):
        slots.admit("c")
    time.sleep(0.3)
    first.release()
    thread.join(5)
    assert 0.3 <= waited["b"] < 2
    slots.admit("a").release()  # a's own place was given back too


def test_waiting_ends_with_503_at_the_limit(tmp_path: Path) -> None:
    slots = QuerySlots(tmp_path / "slots.lock", Limits(1, 2, 0, 0.5))
    held = slots.admit("a")
    began = time.monotonic()
    with pytest.raises(Overloaded, match="no query slot came free within 0.5 s") as refused:
        slots.admit("b")
    assert 0.5 <= time.monotonic() - began < 2 and refused.value.retry_after == 1
    held.release()


def _wait_until_held(path: Path, offset: int, timeout: float = 20) -> None:
    """Until some request holds the byte, asked with F_OFD_GETLK (taking it, even for
    a moment, could make the request being waited for find it taken)."""
    deadline = time.monotonic() + timeout
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while time.monotonic() < deadline:
            asked = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, offset, 1, 0)
            kind = struct.unpack("hhqqi4x", fcntl.fcntl(fd, fcntl.F_OFD_GETLK, asked))[0]
            if kind != fcntl.F_UNLCK:
                return
            time.sleep(0.02)
    finally:
        os.close(fd)
    raise TimeoutError(f"nothing took byte {offset} of {path}")


def _query(server: Server, query: str, client: str, accept: str = "text/csv"):
    url = server.url + "/sparql?" + urllib.parse.urlencode({"query": query})
    return http(url, headers={"X-Forwarded-For": client, "Accept": accept})


@pytest.fixture(scope="module")
def strict_server(demo_store: Path, serving: dict[str, str],
                  tmp_path_factory) -> Iterator[Server]:
    """Two workers sharing one query slot, one queue place, one query per client.

    It serves from the chosen backend, so ``--backend oxigraph`` holds a remote
    store's queries to the same limits.
    """
    run = tmp_path_factory.mktemp("run")
    server = Server(demo_store, {
        **settings_env(serving),
        "KG_QUERY_SLOTS": "1", "KG_QUERY_QUEUE": "1", "KG_CLIENT_QUERIES": "1",
        "KG_QUERY_TIMEOUT": "3", "KG_TRUSTED_PROXIES": "127.0.0.1",
        "KG_RUN_DIR": str(run)}, workers=2)
    server.slots_file = run / "query-slots.lock"  # type: ignore[attr-defined]
    yield server
    server.stop()


def test_a_heavy_client_waits_its_turn_and_pages_are_still_served(
        strict_server: Server) -> None:
    slots = strict_server.slots_file  # type: ignore[attr-defined]
    replies: dict[str, object] = {}

    def send(name: str, query: str, client: str) -> None:
        replies[name] = _query(strict_server, query, client)

    heavy = threading.Thread(target=send, args=("heavy", CROSS_PRODUCT, "198.51.100.1"))
    heavy.start()
    _wait_until_held(slots, 0)
    again = _query(strict_server, LIGHT, "198.51.100.1")  # the same client, while it runs
    assert again.status == 429 and again.headers["Retry-After"] == "1"
    assert "already have 1 queries running or waiting" in again.text
    waiting = threading.Thread(target=send, args=("waiting", LIGHT, "198.51.100.2"))
    waiting.start()
    _wait_until_held(slots, QUEUE_BASE)
    full = _query(strict_server, LIGHT, "198.51.100.3")
    assert full.status == 503 and full.headers["Retry-After"] == "3"
    assert "1 query slots are busy and 1 queries are waiting" in full.text
    began = time.monotonic()
    page = http(strict_server.url + "/page/person/trinh-phi-cuong",
                headers={"X-Forwarded-For": "198.51.100.4"})
    assert page.status == 200 and time.monotonic() - began < 2  # pages take no query slot
    heavy.join(30)
    waiting.join(30)
    assert replies["heavy"].status == 503 and "was stopped" in replies["heavy"].text
    assert replies["waiting"].status == 200 and replies["waiting"].text.strip() == "true"
    assert _query(strict_server, LIGHT, "198.51.100.1").status == 200  # all freed


def test_the_rate_limit_holds_across_workers(demo_store: Path, tmp_path: Path) -> None:
    server = Server(demo_store, {"KG_RATE_LIMIT": "0.2", "KG_RATE_BURST": "5",
                                 "KG_TRUSTED_PROXIES": "127.0.0.1",
                                 "KG_RUN_DIR": str(tmp_path / "run")}, workers=2)
    try:
        # Each request on a new connection, so both workers take some.
        statuses = [http(server.url + "/people", headers={"X-Forwarded-For": "203.0.113.1"})
                    for _ in range(12)]
        passed = [r for r in statuses if r.status == 200]
        refused = [r for r in statuses if r.status == 429]
        assert 5 <= len(passed) <= 6 and len(passed) + len(refused) == 12
        assert all(1 <= int(r.headers["Retry-After"]) <= 5 for r in refused)
        assert "more than 0.2 requests a second from 203.0.113.1" in refused[0].text
        other = http(server.url + "/people", headers={"X-Forwarded-For": "203.0.113.2"})
        assert other.status == 200
        assert http(server.url + "/static/style.css",
                    headers={"X-Forwarded-For": "203.0.113.1"}).status == 200
    finally:
        server.stop()


def test_without_a_trusted_proxy_the_header_cannot_buy_a_new_bucket(demo_store: Path,
                                                                     tmp_path: Path) -> None:
    from web import create_app

    client = create_app({"store": str(demo_store), "rate_limit": 0.01, "rate_burst": 2,
                         "run_dir": str(tmp_path)}).test_client()
    statuses = [client.get("/", headers={"X-Forwarded-For": f"203.0.113.{n}"},
                           environ_base={"REMOTE_ADDR": "192.0.2.50"}).status_code
                for n in range(4)]
    assert statuses == [200, 200, 429, 429]
    other = client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.51"})
    assert other.status_code == 200


@pytest.mark.parametrize("variable, value, message", [
    ("KG_TRUSTED_PROXIES", "proxy.example", "'proxy.example' is not an address or a network"),
    ("KG_CLIENT_QUERIES", "-1", "KG_CLIENT_QUERIES from 0 to 256"),
])
def test_serve_refuses_limits_it_cannot_apply(demo_store: Path, variable: str, value: str,
                                              message: str) -> None:
    import os

    from tests.support import kg_command

    result = subprocess.run(kg_command("serve", "--store", str(demo_store), "--port", "1"),
                            env={**os.environ, variable: value}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and message in result.stderr
