"""Faults: a full disk during a build, a server killed and restarted, builds killed
while a server serves, a web worker killed in the middle of a query."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.store.releases import ReleaseStore
from tests.support import DEMO, IN_CI, Server, kg_command


@contextlib.contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    """A size-limited tmpfs at path (needs root; required in CI)."""
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        message = f"cannot mount a tmpfs here: {result.stderr.strip()}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_full_disk_fails_cleanly_and_keeps_the_release(tmp_path: Path) -> None:
    big = tmp_path / "big-people.csv"
    rows = "".join(f"person-{i},Nguyễn Văn {i} {'x' * 120}\n" for i in range(40000))
    big.write_text("key,name\n" + rows, encoding="utf-8")
    with small_disk(tmp_path / "disk", "6m") as disk:
        store = disk / "store"
        first = subprocess.run(kg_command("build", "--store", str(store)), capture_output=True,
                               text=True)
        assert first.returncode == 0, first.stderr
        release = ReleaseStore(store).require_current()
        result = subprocess.run(kg_command("build", "--store", str(store), str(DEMO), str(big)),
                                capture_output=True, text=True)
        assert result.returncode == 2
        assert "disk holding the store is full" in result.stderr
        assert "Traceback" not in result.stderr
        assert ReleaseStore(store).require_current() == release
        assert release.manifest()["triples"] == len(release.open())
        assert not any((store / "staging").iterdir())
        again = subprocess.run(kg_command("build", "--store", str(store)), capture_output=True,
                               text=True)
        assert again.returncode == 0, again.stderr


def _release_served(server: Server) -> str:
    # In English: the home page speaks Vietnamese by default ("Phiên bản").
    with urllib.request.urlopen(server.url + "/?lang=en") as response:
        html = response.read().decode("utf-8")
    return html.split("Release", 1)[1].split("<", 1)[0].strip()


def test_server_killed_and_restarted_serves_the_same_release(demo_store: Path) -> None:
    server = Server(demo_store)
    before = _release_served(server)
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()
    restarted = Server(demo_store)
    try:
        assert _release_served(restarted) == before
        with urllib.request.urlopen(restarted.url + "/data/person/trinh-phi-cuong.nt") as response:
            assert "Trịnh Phi Cường" in response.read().decode("utf-8")
    finally:
        restarted.stop()


class Watcher:
    """A client that keeps asking a server for a page, a description and a query,
    noting every answer and the release each page says it came from."""

    PATHS = ("/?lang=en", "/data/person/trinh-phi-cuong.nt",
             "/sparql?query=ASK%20%7B%20%3Fs%20a%20foaf%3APerson%20%7D")

    def __init__(self, server: Server) -> None:
        self.server = server
        self.answers: list[tuple[str, int]] = []
        self.releases: set[str] = set()
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            for path in self.PATHS:
                try:
                    with urllib.request.urlopen(self.server.url + path, timeout=30) as answer:
                        body = answer.read().decode("utf-8")
                        self.answers.append((path, answer.status))
                except (OSError, urllib.error.HTTPError) as error:
                    self.failures.append(f"{path}: {error}")
                    continue
                if path == "/?lang=en":
                    self.releases.add(body.split("Release", 1)[1].split("<", 1)[0].strip())

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)


def _people(path: Path, count: int) -> Path:
    rows = "".join(f"person-{i},Nguyễn Văn {i},Nguyễn,Văn {i}\n" for i in range(count))
    path.write_text("key,name,family_name,given_name\n" + rows, encoding="utf-8")
    return path


def test_builds_killed_at_random_points_while_a_server_serves(tmp_path: Path) -> None:
    """The server answers from a whole release all along; the next build publishes."""
    store = tmp_path / "store"
    extra = _people(tmp_path / "extra-people.csv", 1500)
    command = kg_command("build", "--store", str(store), str(DEMO), str(extra))
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    full = time.monotonic() - started
    published = {r.id for r in ReleaseStore(store).releases()}
    server = Server(store, workers=2)
    watcher = Watcher(server)
    rng = random.Random(20261128)
    try:
        for attempt in range(6):
            with extra.open("a", encoding="utf-8") as handle:
                handle.write(f"kill-{attempt},K {attempt},K,{attempt}\n")
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, full))
            process.send_signal(signal.SIGKILL)
            process.wait()
            # A kill after the switch publishes a whole release: that one may be served.
            published |= {r.id for r in ReleaseStore(store).releases()}
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        newest = ReleaseStore(store).require_current().id
        deadline = time.monotonic() + 20
        while newest not in watcher.releases and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        watcher.stop()
        server.stop()
    assert not watcher.failures, watcher.failures[:5]
    assert len(watcher.answers) >= 30 and {s for _, s in watcher.answers} == {200}
    assert newest in watcher.releases  # switched to the new release without a restart
    assert watcher.releases <= published | {newest}, watcher.releases - published


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_worker_killed_mid_query_gives_back_its_slot(demo_store: Path, tmp_path: Path) -> None:
    """gunicorn replaces the worker; the kernel frees its query slot; its query process ends."""
    from tests.sparql_support import http, query_processes
    from tests.test_isolation import CROSS_PRODUCT, _wait_until_held

    run = tmp_path / "run"
    server = Server(demo_store, {"KG_QUERY_SLOTS": "1", "KG_QUERY_QUEUE": "0",
                                 "KG_QUERY_TIMEOUT": "60", "KG_RUN_DIR": str(run)})
    try:
        worker = _children(server.process.pid)
        lost: list[OSError] = []

        def heavy_query() -> None:
            try:
                http(server.url + "/sparql?" + urllib.parse.urlencode({"query": CROSS_PRODUCT}),
                     timeout=90)
            except OSError as error:  # its worker is killed under it
                lost.append(error)

        heavy = threading.Thread(target=heavy_query, daemon=True)
        heavy.start()
        _wait_until_held(run / "query-slots.lock", 0)
        busy = http(server.url + "/sparql?query=ASK%7B%7D")
        assert busy.status == 503  # the one slot is taken
        running = set(query_processes(server.process.pid))
        assert len(worker) == 1 and len(running) == 1
        os.kill(worker[0], signal.SIGKILL)
        reply = _eventually(lambda: http(server.url + "/sparql?query=ASK%7B%7D"),
                            lambda r: r.status == 200)
        assert '"boolean":true' in reply.text.replace(" ", "")
        assert _children(server.process.pid) != worker  # gunicorn started a new worker
        heavy.join(10)
        assert len(lost) == 1  # the request in flight on the killed worker is lost, only it
        # The killed worker's query process sees its parent gone and ends (its query never would).
        _eventually(lambda: running & set(query_processes(server.process.pid)),
                    lambda left: not left)
    finally:
        server.stop()


def _eventually(probe, done, timeout: float = 30):
    """Call probe until done(its result) holds; the last result."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if done(result) or time.monotonic() > deadline:
            assert done(result), result
            return result
        time.sleep(0.2)
