"""One exception family for the whole project.

The CLI maps it to exit codes (``kg/cli``) and the web app to HTTP responses
(``web/errors.py``), each in one place.
"""

from __future__ import annotations


class KgError(Exception):
    """Base of every error this project raises on purpose."""

    exit_code = 2
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(KgError):
    """The command or request was not well formed."""

    http_status = 400


class SourceError(KgError):
    """A source file cannot be read at all (missing, unreadable, unknown kind)."""


class SourceSyntaxError(KgError):
    """A source file that cannot be parsed (bad encoding, YAML or RDF syntax).

    Counts as invalid data: the build reports it with the others and exits 1.
    """

    exit_code = 1
    http_status = 422

    def __init__(self, detail: str, file: str, location: str = "") -> None:
        super().__init__(f"{file} {location}: {detail}".replace(" :", ":"))
        self.detail = detail
        self.file = file
        self.location = location

    def __reduce__(self) -> tuple:  # pickled by the conversion process for the build
        return type(self), (self.detail, self.file, self.location)


class ValidationFailed(KgError):
    """The data does not conform; nothing was published."""

    exit_code = 1
    http_status = 422

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class StoreError(KgError):
    """The store cannot be opened, locked or written."""

    http_status = 503


class NoRelease(StoreError):
    """The store has no published release yet."""


class BuildLocked(StoreError):
    """Another build holds the store's lock."""

    http_status = 409  # over HTTP: the request conflicts with the build running now


class NotFound(KgError):
    """No such entity or resource."""

    http_status = 404


class Gone(KgError):
    """An entity an earlier release had and the current one dropped."""

    http_status = 410


class NotAcceptable(KgError):
    """No representation matches the request's Accept header or format."""

    http_status = 406


class QueryError(KgError):
    """A SPARQL query that cannot be run as sent (syntax, update, SERVICE)."""

    http_status = 400


class ServiceNotAllowed(QueryError):
    """A SPARQL query whose SERVICE calls an endpoint that is not allow-listed."""

    http_status = 403


class UnsupportedMediaType(KgError):
    """A request body in a media type or charset the resource does not take."""

    http_status = 415


class QueryTimeout(KgError):
    """A SPARQL query ran past the configured time limit and was stopped."""

    http_status = 503


class TooLarge(KgError):
    """A request body or query over the configured size."""

    http_status = 413


class Forbidden(KgError):
    """A write without the right token."""

    http_status = 403


class Unauthorized(KgError):
    """A write that presents no token at all."""

    http_status = 401


class Conflict(KgError):
    """A request the state of the server cannot take now (a build running, nothing to undo)."""

    http_status = 409


class TooManyRequests(KgError):
    """One client asked for more than its share; it may try again after ``retry_after`` s."""

    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class Overloaded(KgError):
    """Every query slot is taken and the queue is full; try again after ``retry_after`` s."""

    http_status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class OaiError(UsageError):
    """An OAI-PMH request the protocol answers with one of its error codes.

    The provider sends these inside an OAI-PMH response with HTTP 200, as the
    protocol requires (section 3.6); only a stray one would become a 400.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.detail = message


class UnsupportedShape(KgError):
    """A shape uses a SHACL construct that the SPARQL validator cannot run."""
