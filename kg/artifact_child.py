"""A publish-time writer run in a process of its own, beside the others.

    python -m kg.artifact_child WRITER CONTEXT.json

The entity index is written by one core, from store reads and SQLite, while
the dumps keep the other core busy; in one process the two would take turns
(:func:`kg.artifacts.write_artifacts`). The child opens the release being
built read-only: every graph is loaded by then, and nothing writes the store
while the writers run. It prints its own figures (seconds, CPU seconds, peak
RSS) as JSON on its last line of output.

Plain child processes (not multiprocessing), as for the dumps' helpers: the
build process holds a database and threads, not for forking, and spawning
would import whatever script started the build. The child's log records come
back as JSON lines on its output and are logged again by the build process.
"""

from __future__ import annotations

import json
import logging
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KgError, StoreError

if TYPE_CHECKING:
    from kg.artifacts import ArtifactContext, ArtifactWriter


class Child:
    """A writer running in a child process."""

    def __init__(self, writer: ArtifactWriter, context: ArtifactContext) -> None:
        assert context.database is not None
        self.name = writer.__name__
        scratch = f"{context.folder.name}.{self.name}"  # beside the release's folder
        self._arguments = context.folder.with_name(scratch + ".json")
        self._arguments.write_text(json.dumps(_to_json(context)), encoding="utf-8")
        # Its messages go to a file: a pipe nobody reads while the dumps run could fill.
        self._errors = context.folder.with_name(scratch + ".err")
        with self._errors.open("wb") as errors:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "kg.artifact_child", self.name, str(self._arguments)],
                stdout=subprocess.PIPE, stderr=errors)
        self._finished = False

    def wait(self) -> dict[str, float]:
        """Wait for the writer to finish; its figures. A failure raises StoreError."""
        out, _ = self._process.communicate()
        error = self._errors.read_text(encoding="utf-8", errors="replace").strip()
        self._finish()
        if self._process.returncode:
            last = error.splitlines()[-1] if error else f"exit status {self._process.returncode}"
            raise StoreError(f"{self.name} failed in its process: {last}")
        figures: dict[str, float] = {}
        for line in out.decode().splitlines():
            message = json.loads(line)
            if "log" in message:
                logging.getLogger(message["log"]).log(message["level"], "%s", message["message"])
            else:
                figures = message
        return figures

    def stop(self) -> None:
        """Kill the writer if it still runs (another writer failed)."""
        if not self._finished:
            self._process.kill()
            self._process.communicate()
            self._finish()

    def _finish(self) -> None:
        self._finished = True
        self._arguments.unlink(missing_ok=True)
        self._errors.unlink(missing_ok=True)


def _to_json(context: ArtifactContext) -> dict[str, Any]:
    changed = context.changed_graphs
    return {
        "database": str(context.database), "folder": str(context.folder),
        "manifest": context.manifest, "base": context.minter.base,
        "parent_folder": str(context.parent_folder) if context.parent_folder else None,
        "changed_graphs": sorted(changed) if changed is not None else None,
        "changed_subjects": {graph: sorted(subjects)
                             for graph, subjects in context.changed_subjects.items()},
    }


def _from_json(data: dict[str, Any]) -> ArtifactContext:
    from pyoxigraph import Store

    from kg.artifacts import ArtifactContext
    from kg.iris import Minter
    from kg.store.staging import StagingView

    changed = data["changed_graphs"]
    parent = data["parent_folder"]
    return ArtifactContext(
        StagingView(Store.read_only(data["database"])), Path(data["folder"]), data["manifest"],
        Minter(data["base"]), Path(parent) if parent else None,
        frozenset(changed) if changed is not None else None,
        {graph: frozenset(subjects) for graph, subjects in data["changed_subjects"].items()})


def main(argv: list[str]) -> int:
    """Run the named writer on the context in the file; 1 with a message on failure."""
    from kg.artifacts import WRITERS

    name, arguments = argv
    started = time.monotonic()
    root = logging.getLogger()
    root.addHandler(_ToParent())
    root.setLevel(logging.INFO)
    writer = next(w for w in WRITERS if w.__name__ == name)
    try:
        writer(_from_json(json.loads(Path(arguments).read_text(encoding="utf-8"))))
    except (KgError, OSError) as error:
        print(error, file=sys.stderr)
        return 1
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": round(time.monotonic() - started, 3),
                      "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
                      "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}), flush=True)
    return 0


class _ToParent(logging.Handler):
    """Log records as JSON lines on the output, for the build process to log again."""

    def emit(self, record: logging.LogRecord) -> None:
        print(json.dumps({"log": record.name, "level": record.levelno,
                          "message": record.getMessage()}), flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
