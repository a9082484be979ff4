"""``/admin``: the only routes that change anything, for operators with the token.

- ``POST /admin/rollback``: serve the previous release again (200, JSON);
- ``POST /admin/build``: publish the configured sources (``KG_BUILD_SOURCES``)
  with ``kg build`` in a background process: 202 and the job's status URL;
- ``GET /admin/builds/{id}``: a build job's state and the end of its log.

Every request needs ``Authorization: Bearer {KG_WRITE_TOKEN}``, compared in
constant time. Without a configured token the routes answer 403 and nothing
can be written; without a token in the request, 401; with a wrong one, 403.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, jsonify, request, url_for

from kg import build_jobs
from kg.errors import Conflict, Forbidden, Unauthorized
from kg.store.releases import ReleaseStore
from web.state import settings, snapshot

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.before_request
def require_token() -> None:
    """Let through only requests that carry the configured token."""
    configured = settings().write_token
    if not configured:
        raise Forbidden("writes over HTTP are off on this server (no KG_WRITE_TOKEN is set)")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send the write token as 'Authorization: Bearer TOKEN'")
    # Bytes as they came (WSGI headers are Latin-1), compared in constant time: how
    # long the comparison takes says nothing about the token.
    sent = token.strip().encode("latin-1", "replace")
    if not hmac.compare_digest(sent, configured.encode("utf-8")):
        raise Forbidden("the write token is not right")


def _releases() -> ReleaseStore:
    config = settings()
    return ReleaseStore(config.store, config.keep_releases)


@blueprint.post("/rollback")
def rollback() -> Response:
    """Make the release before the current one current again."""
    releases = _releases()
    with releases.lock():  # not while a build is about to publish
        current = releases.require_current()
        if not any(r.number < current.number for r in releases.releases()):
            raise Conflict(f"release {current.id} is the oldest kept; nothing to roll back to")
        release = releases.rollback()
    return jsonify({"release": release.id, "previous": current.id})


@blueprint.post("/build")
def build() -> Response:
    """Start a build of the configured sources; 202 with where to follow it."""
    config = settings()
    sources = config.build_source_list
    if not sources:
        raise Conflict("this server has no sources to build (set KG_BUILD_SOURCES)")
    with _releases().lock():  # 409 now rather than a failed job if a build is running
        pass
    command = build_jobs.build_command(config.store, sources, snapshot().base_iri,
                                       config.keep_releases, config.validator)
    job_id = build_jobs.start(config.run_path, command)
    location = url_for("admin.build_status", job_id=job_id)
    response = jsonify({"id": job_id, "state": "starting", "status": location})
    response.status_code = 202
    response.headers["Location"] = location
    return response


@blueprint.get("/builds/<job_id>")
def build_status(job_id: str) -> Response:
    """A build job's state (starting, running, succeeded, failed, lost) and log."""
    return jsonify(build_jobs.status(settings().run_path, job_id))


@blueprint.after_request
def private(response: Response) -> Response:
    """Answers about writes are for the operator only: never cached, never framed."""
    response.headers["Cache-Control"] = "no-store"
    return response
