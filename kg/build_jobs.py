"""Builds started over HTTP: ``kg build`` in a background process, and its status.

A job is a folder ``{run}/builds/{id}/`` with ``status.json`` and ``log.txt``.
:func:`start` launches ``python -m kg.build_jobs FOLDER -- kg build ...`` in a
session of its own, so the build outlives the web worker that started it;
that small runner writes the status when the build starts and again when it
ends, so any worker can answer for it. A runner that died without writing an
end is reported as ``lost``; the store's own lock and atomic publish keep the
release whole whatever happens to it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.errors import NotFound

JOB_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")
STATUS = "status.json"
LOG = "log.txt"
LOG_TAIL = 4000  # characters of the log a status shows


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_status(folder: Path, status: dict[str, Any]) -> None:
    temporary = folder / (STATUS + ".tmp")
    temporary.write_text(json.dumps(status), encoding="utf-8")
    os.replace(temporary, folder / STATUS)  # readers never see half a file


def build_command(store: str, sources: list[str], base_iri: str, keep: int,
                  validator: str) -> list[str]:
    """The ``kg build`` command line a job runs."""
    return [sys.executable, "-m", "kg", "build", "--store", store, "--base-iri", base_iri,
            "--keep-releases", str(keep), "--validator", validator, "--", *sources]


def start(run: Path, command: list[str]) -> str:
    """Start a job running ``command``; its id."""
    job_id = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(4)}"
    folder = run / "builds" / job_id
    folder.mkdir(parents=True)
    _write_status(folder, {"id": job_id, "state": "starting", "started": _now()})
    subprocess.Popen([sys.executable, "-m", "kg.build_jobs", str(folder), "--", *command],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    return job_id


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status(run: Path, job_id: str) -> dict[str, Any]:
    """A job's state (starting, running, succeeded, failed, lost) and the end of its log."""
    folder = run / "builds" / job_id
    if not JOB_ID.match(job_id) or not (folder / STATUS).is_file():
        raise NotFound(f"there is no build job {job_id!r}")
    found = json.loads((folder / STATUS).read_text(encoding="utf-8"))
    if found["state"] == "running" and not _alive(found["pid"]):
        found["state"] = "lost"
    log = folder / LOG
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    found["log"] = text[-LOG_TAIL:]
    return found


def _run(folder: Path, command: list[str]) -> int:
    """Run the build, its output to the log, and record how it ended."""
    started = json.loads((folder / STATUS).read_text(encoding="utf-8"))
    with (folder / LOG).open("wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT)
        _write_status(folder, {**started, "state": "running", "pid": os.getpid()})
        code = process.wait()
    _write_status(folder, {**started, "state": "succeeded" if code == 0 else "failed",
                           "exit_code": code, "finished": _now()})
    return code


def main(argv: list[str]) -> int:
    """``python -m kg.build_jobs FOLDER -- COMMAND ...``"""
    folder, separator, *command = argv
    if separator != "--" or not command:
        print("usage: python -m kg.build_jobs FOLDER -- COMMAND ...", file=sys.stderr)
        return 2
    return _run(Path(folder), command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
