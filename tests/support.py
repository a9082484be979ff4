"""Helpers for tests that run real servers and real commands."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "demo"
IN_CI = os.environ.get("CI", "").lower() == "true"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_tool(name: str) -> str:
    """The path of a program; skips the test locally without it, fails in CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed"
        if IN_CI:
            pytest.fail(f"{message} (CI must install it; see .ci/run)")
        pytest.skip(message)
    return path


def kg_command(*args: str) -> list[str]:
    """The command line that runs ``kg`` with this interpreter."""
    return [sys.executable, "-m", "kg", *args]


def wait_for_http(url: str, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    """Wait until a URL answers (any HTTP status), or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            log = getattr(process, "log_path", None)
            output = Path(log).read_text(encoding="utf-8", errors="replace") if log else ""
            raise RuntimeError(f"server exited with {process.returncode}: {output}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


class Server:
    """``kg serve`` (gunicorn) on a free loopback port, for real clients."""

    def __init__(self, store: Path | str, extra_env: dict[str, str] | None = None,
                 workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "KG_STORE": str(store), "KG_PORT": str(self.port),
               "KG_HOST": "127.0.0.1", "KG_WORKERS": str(workers), **(extra_env or {})}
        env.pop("KG_BASE_IRI", None)
        # The server's log goes to a file: a pipe nobody reads fills up and
        # blocks gunicorn after a few hundred logged requests.
        log = tempfile.NamedTemporaryFile(prefix="kg-serve-", suffix=".log", delete=False)
        self.log_path = Path(log.name)
        self.process = subprocess.Popen(
            kg_command("serve"), env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        self.process.log_path = self.log_path  # type: ignore[attr-defined]
        wait_for_http(self.url + "/", process=self.process)

    @property
    def log(self) -> str:
        """What the server has written so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server and all its workers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
