"""Immutable releases of the embedded store, and the atomic switch between them.

Layout of a store directory::

    DIR/
      current -> releases/00003-20261127T013000Z   (symlink, swapped atomically)
      releases/00003-20261127T013000Z/db/           (the Oxigraph database)
      releases/00003-20261127T013000Z/manifest.json (sources, checksums, counts)
      staging/                                      (builds in progress)
      .lock                                         (held by the one running build)

A build clones the current release into ``staging/`` (``Store.backup`` hard
links the immutable files, so this is cheap), changes the clone, and publishes
it by renaming it into ``releases/`` and replacing the ``current`` symlink with
``os.replace``. A crash at any point leaves ``current`` as it was.
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import Store

from kg.errors import BuildLocked, NoRelease, StoreError
from kg.store.graph_texts import GraphTexts
from kg.store.staging import StagingView

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Release:
    """One published release: its id, folder and manifest."""

    id: str
    path: Path

    @property
    def db_path(self) -> Path:
        """The Oxigraph database folder."""
        return self.path / "db"

    @property
    def number(self) -> int:
        """The release's sequence number (1, 2, 3 ...)."""
        return int(self.id.split("-", 1)[0])

    def manifest(self) -> dict[str, Any]:
        """The release's manifest: sources, checksums, counts, base IRI."""
        try:
            return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise StoreError(f"release {self.id} has no readable manifest: {error}") from error

    def open(self) -> Store:
        """The release's database, read-only (nothing writes a published release)."""
        try:
            return Store.read_only(str(self.db_path))
        except OSError as error:
            raise StoreError(f"cannot open release {self.id}: {error}") from error


class Staging:
    """A release being built: a writable clone in ``staging/``."""

    def __init__(self, release_id: str, path: Path, parent: Release | None, store: Store) -> None:
        self.id = release_id
        self.path = path
        self.parent = parent
        # Beside the release's folder, so that it is never published with it.
        self.view = StagingView(store, GraphTexts(path.with_name(f"{release_id}.texts")))

    def close(self) -> None:
        """Flush and close the database so its files can be published.

        The store closes when its last reference goes, so the view lets go of it.
        """
        if self.view.texts is not None:
            self.view.texts.clear()
        store = self.view.store
        if store is not None:
            store.flush()
            self.view.store = None
            del store
            gc.collect()


def _fsync_tree(path: Path) -> None:
    """Make a finished release durable before it is switched in."""
    for root, _, files in os.walk(path):
        for name in files:
            try:
                fd = os.open(os.path.join(root, name), os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class ReleaseStore:
    """A store directory: its releases, the current one, and builds in progress."""

    def __init__(self, path: Path | str, keep: int = 3) -> None:
        self.path = Path(path)
        self.keep = max(1, keep)

    @property
    def releases_dir(self) -> Path:
        return self.path / "releases"

    @property
    def staging_dir(self) -> Path:
        return self.path / "staging"

    def current(self) -> Release | None:
        """The release being served, or None before the first publish."""
        link = self.path / "current"
        try:
            target = os.readlink(link)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreError(f"{link}: {error.strerror}") from error
        release_path = (self.path / target).resolve()
        return Release(release_path.name, release_path)

    def require_current(self) -> Release:
        """The current release; an error that says how to make one if there is none."""
        release = self.current()
        if release is None:
            raise NoRelease(f"{self.path} has no published release yet; run 'kg build' first")
        return release

    def releases(self) -> list[Release]:
        """All kept releases, oldest first."""
        if not self.releases_dir.is_dir():
            return []
        found = [Release(p.name, p) for p in self.releases_dir.iterdir()
                 if p.is_dir() and (p / MANIFEST).is_file() and p.name[:5].isdigit()]
        return sorted(found, key=lambda r: r.number)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's build lock (one build at a time); released on exit or crash."""
        self.path.mkdir(parents=True, exist_ok=True)
        handle = open(self.path / ".lock", "w")  # noqa: SIM115 (held for the block)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BuildLocked(f"another build is running on {self.path}") from None
            yield
        finally:
            handle.close()

    def _next_id(self) -> str:
        numbers = [r.number for r in self.releases()]
        if self.staging_dir.is_dir():
            numbers += [int(p.name[:5]) for p in self.staging_dir.iterdir() if p.name[:5].isdigit()]
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return f"{max(numbers, default=0) + 1:05d}-{stamp}"

    def stage(self, fresh: bool = False) -> Staging:
        """A writable clone of the current release (or an empty store) in ``staging/``.

        Call under :meth:`lock`. Leftovers of crashed builds are removed first.
        """
        shutil.rmtree(self.staging_dir, ignore_errors=True)
        self.staging_dir.mkdir(parents=True)
        parent = self.current()
        release_id = self._next_id()
        path = self.staging_dir / release_id
        path.mkdir()
        try:
            if parent is not None and not fresh:
                parent.open().backup(str(path / "db"))
            store = Store(str(path / "db"))
        except OSError as error:
            shutil.rmtree(path, ignore_errors=True)
            raise StoreError(f"cannot prepare a new release in {path}: {error}") from error
        return Staging(release_id, path, parent, store)

    def discard(self, staging: Staging) -> None:
        """Throw a failed build away."""
        staging.close()
        shutil.rmtree(staging.path, ignore_errors=True)

    def publish(self, staging: Staging, manifest: dict[str, Any],
                before_switch: Callable[[], None] | None = None) -> Release:
        """Make a staged release current, atomically; then prune old releases.

        ``before_switch`` runs once the release is in ``releases/`` and before
        ``current`` moves (a remote store's swap); if it fails, the release is
        removed again and ``current`` stays.
        """
        staging.close()
        (staging.path / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        _fsync_tree(staging.path)
        self.releases_dir.mkdir(exist_ok=True)
        final = self.releases_dir / staging.id
        os.rename(staging.path, final)
        if before_switch is not None:
            try:
                before_switch()
            except BaseException:
                shutil.rmtree(final, ignore_errors=True)
                raise
        self._point_current_to(final)
        self.prune()
        return Release(staging.id, final)

    def _point_current_to(self, release_path: Path) -> None:
        temporary = self.path / f".current-{release_path.name}"
        temporary.unlink(missing_ok=True)
        os.symlink(os.path.relpath(release_path, self.path), temporary)
        os.replace(temporary, self.path / "current")
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def rollback(self, before_switch: Callable[[Release], None] | None = None) -> Release:
        """Make the release before the current one current again (``before_switch``
        first puts it in a remote store)."""
        current = self.require_current()
        older = [r for r in self.releases() if r.number < current.number]
        if not older:
            raise StoreError(f"release {current.id} is the oldest kept; nothing to roll back to")
        if before_switch is not None:
            before_switch(older[-1])
        self._point_current_to(older[-1].path)
        return older[-1]

    def prune(self) -> list[str]:
        """Delete releases beyond the newest ``keep`` (never the current one)."""
        current = self.current()
        kept = self.releases()
        removed = []
        for release in kept[: max(0, len(kept) - self.keep)]:
            if current is not None and release.id == current.id:
                continue
            shutil.rmtree(release.path, ignore_errors=True)
            removed.append(release.id)
        return removed
