"""``/dumps/``: the dumps of the current release, and of the others still kept.

- ``/dumps/``: the list, as HTML for people and JSON for programs (by
  ``Accept`` or ``?format=json``), with sizes and SHA-256;
- ``/dumps/SHA256SUMS``: the checksums in the form ``sha256sum -c`` reads;
- ``/dumps/latest.nt.gz`` (``.nq``, ``.ttl``, ``.jsonld``): 302 to the
  current release's file, for scripts that always want the newest;
- ``/dumps/dump-{release}.{format}.gz``: a file, with conditional and range
  requests (a file name names its release, so a harvest that read the list
  before a new publish still gets the file its checksum is for).

Only names of that exact form are served; anything else is 404.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    send_file,
    url_for,
)

from kg.errors import NotFound
from kg.export.dumps import DUMP_FORMATS, DUMPS, FILE_NAME, read_index
from web.negotiation import HTML, Representation, negotiate
from web.state import snapshot

blueprint = Blueprint("exports", __name__)
JSON = Representation("json", "application/json", ("application/json",))


def _listing() -> dict:
    """The current release's dumps, with download addresses."""
    release = snapshot().release  # type: ignore[attr-defined]
    index = read_index(release.path)
    if index is None:
        raise NotFound(f"release {release.id} was published without dumps; run 'kg build' "
                       "again to make them")
    files = [{"format": entry["format"], "suffix": name, "name": entry["name"],
              "url": url_for("exports.download", name=entry["name"], _external=True),
              "media_type": entry["media_type"], "compression": "gzip",
              "size": entry["size"], "sha256": entry["sha256"],
              "keeps_graphs": DUMP_FORMATS[name].keeps_graphs}
             for name, entry in index["files"].items()]
    return {"release": index["release"], "created": index["created"], "quads": index["quads"],
            "files": files}


@blueprint.get("/dumps/")
def listing() -> Response:
    """The list of dumps."""
    data = _listing()
    chosen = negotiate((HTML, JSON), default=HTML)
    if chosen is JSON:
        response = current_app.json.response(data)
    else:
        response = Response(render_template("dumps.html", listing=data),
                            content_type=HTML.media_type)
    response.headers["Vary"] = "Accept"
    return response


@blueprint.get("/dumps/SHA256SUMS")
def checksums() -> Response:
    """Checksums of the current release's dumps (``sha256sum -c SHA256SUMS``)."""
    lines = [f"{f['sha256']}  {f['name']}\n" for f in _listing()["files"]]
    return Response("".join(lines), content_type="text/plain; charset=utf-8")


@blueprint.get("/dumps/latest.<suffix>.gz")
def latest(suffix: str) -> Response:
    """Where the current release's dump in a format is."""
    if suffix not in DUMP_FORMATS:
        raise NotFound(f"no dump in format '{suffix}'; formats: {', '.join(DUMP_FORMATS)}")
    name = next(f["name"] for f in _listing()["files"] if f["suffix"] == suffix)
    return redirect(url_for("exports.download", name=name), 302)


@blueprint.get("/dumps/<name>")
def download(name: str) -> Response:
    """One dump file of a kept release."""
    match = FILE_NAME.match(name)
    if match is None:
        raise NotFound(f"there is no dump called {name!r}; see /dumps/")
    releases = current_app.extensions["kg_store"].releases.releases()
    release = next((r for r in releases if r.id == match["release"]), None)
    if release is None:
        raise NotFound(f"release {match['release']} is no longer kept; see /dumps/ for the "
                       "current dumps")
    path = release.path / DUMPS / name
    if not path.is_file():
        raise NotFound(f"release {release.id} has no file {name!r}")
    response = send_file(path, mimetype="application/gzip", as_attachment=True,
                         download_name=name, conditional=True, etag=True)
    # A release's files never change once published.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
