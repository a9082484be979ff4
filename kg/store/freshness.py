"""When the release being served became current, for HTTP validators.

A release's own timestamp is not enough: after ``kg rollback`` an older
release is served again, and a client holding a newer copy must not be told
it is fresh. So the time is the later of the release's creation and the
moment the ``current`` link was last switched to it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from kg.store import Snapshot


def served_since(snapshot: Snapshot) -> datetime:
    """The time (whole seconds, UTC) from which this release has been served."""
    cached = getattr(snapshot, "_served_since", None)
    if cached is not None:
        return cached
    created = datetime.fromisoformat(snapshot.manifest["created"].replace("Z", "+00:00"))
    moments = [created]
    release = getattr(snapshot, "release", None)
    if release is not None:
        link = release.path.parent.parent / "current"
        try:
            if (link.parent / os.readlink(link)).resolve() == release.path.resolve():
                moments.append(datetime.fromtimestamp(os.lstat(link).st_mtime, UTC))
        except OSError:
            pass
    since = max(moments).replace(microsecond=0)
    snapshot._served_since = since  # type: ignore[attr-defined]
    return since
