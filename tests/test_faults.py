"""Faults: a full disk during a build, and a server killed and restarted."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
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
