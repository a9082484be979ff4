"""The six OAI-PMH 2.0 verbs over a release and its index.

:func:`respond` takes the request's arguments (from GET or POST alike) and
returns the response document; protocol errors are answered inside it with
their codes (badVerb, badArgument, badResumptionToken, cannotDisseminateFormat,
idDoesNotExist, noRecordsMatch, noMetadataFormats, noSetHierarchy), as
section 3.6 of the protocol requires.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime

from kg.errors import OaiError
from kg.export.dublin_core import xml_text
from kg.oai import response as xml
from kg.oai.lists import list_records
from kg.oai.metadata import METADATA_FORMATS, formats_for
from kg.oai.publish import datestamp
from kg.oai.repository import Repository, metadata_format

# verb -> (required arguments, optional arguments); resumptionToken is exclusive.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}),
                        frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}),
                    frozenset({"from", "until", "set", "resumptionToken"})),
}


def respond(repository: Repository, arguments: list[tuple[str, str]]) -> bytes:
    """The response document to a request's arguments (name, value pairs)."""
    root, request = xml.envelope(repository.base_url, datestamp(datetime.now(UTC)))
    try:
        verb, args = parse(arguments)
        request.attrib.update({name: xml_text(value) for name, value in
                               {"verb": verb, **args}.items()})
        HANDLERS[verb](repository, args, root)
    except OaiError as problem:
        if problem.code in ("badVerb", "badArgument"):
            # The request is echoed without attributes then (section 3.2).
            request.attrib.clear()
        del root[2:]
        xml.error(root, problem.code, xml_text(problem.detail))
    return xml.serialize(root)


def parse(arguments: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, checked against what the verb takes."""
    verbs = [value for name, value in arguments if name == "verb"]
    if len(verbs) != 1 or verbs[0] not in VERBS:
        given = "no verb" if not verbs else "verb given more than once" if len(verbs) > 1 \
            else f"{verbs[0]!r} is not an OAI-PMH verb"
        raise OaiError("badVerb", f"{given}; use one of {', '.join(VERBS)}")
    verb = verbs[0]
    args: dict[str, str] = {}
    for name, value in arguments:
        if name == "verb":
            continue
        if name in args:
            raise OaiError("badArgument", f"'{name}' is given more than once")
        args[name] = value
    required, optional = VERBS[verb]
    unknown = set(args) - required - optional
    if unknown:
        raise OaiError("badArgument", f"{verb} does not take {', '.join(sorted(unknown))}")
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OaiError("badArgument", "resumptionToken must be the only argument besides "
                                          "the verb")
        return verb, args
    missing = required - set(args)
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(sorted(missing))}")
    return verb, args


def identify(repository: Repository, args: dict[str, str], root: ET.Element) -> None:
    """Identify: the repository's name, base URL, policies and granularity."""
    element = xml.child(root, "Identify")
    earliest = repository.index.earliest_datestamp() or \
        repository.snapshot.manifest.get("created", "1970-01-01T00:00:00Z")
    for name, text in (("repositoryName", repository.name), ("baseURL", repository.base_url),
                       ("protocolVersion", "2.0"), ("adminEmail", repository.admin_email),
                       ("earliestDatestamp", earliest), ("deletedRecord", "persistent"),
                       ("granularity", xml.GRANULARITY)):
        xml.child(element, name, text)


def list_metadata_formats(repository: Repository, args: dict[str, str],
                          root: ET.Element) -> None:
    """ListMetadataFormats: all formats, or those one item is available in."""
    formats = list(METADATA_FORMATS.values())
    if "identifier" in args:
        record = repository.record(args["identifier"])
        formats = formats_for(record.kind)
        if not formats:
            raise OaiError("noMetadataFormats", f"{record.identifier} has no metadata format")
    element = xml.child(root, "ListMetadataFormats")
    for fmt in formats:
        entry = xml.child(element, "metadataFormat")
        xml.child(entry, "metadataPrefix", fmt.prefix)
        xml.child(entry, "schema", fmt.schema)
        xml.child(entry, "metadataNamespace", fmt.namespace)


def list_sets(repository: Repository, args: dict[str, str], root: ET.Element) -> None:
    """ListSets: kinds and sources (one page: there are few)."""
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "ListSets answers in one page and issues no "
                                             "resumptionToken")
    found = repository.index.sets()
    if not found:
        raise OaiError("noSetHierarchy", "this repository has no records, so no sets yet")
    element = xml.child(root, "ListSets")
    for spec, name in found:
        entry = xml.child(element, "set")
        xml.child(entry, "setSpec", spec)
        xml.child(entry, "setName", name)


def get_record(repository: Repository, args: dict[str, str], root: ET.Element) -> None:
    """GetRecord: one record in one format."""
    fmt = metadata_format(args["metadataPrefix"])
    record = repository.record(args["identifier"])
    if record.kind not in fmt.kinds:
        raise OaiError("cannotDisseminateFormat",
                       f"{record.identifier} is not available as {fmt.prefix} "
                       f"(it is of kind {record.kind})")
    element = xml.child(xml.child(root, "GetRecord"), "record")
    repository.write_record(element, record, fmt.prefix)


HANDLERS: dict[str, Callable[[Repository, dict[str, str], ET.Element], None]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": lambda repo, args, root: list_records(repo, args, root, False),
    "ListRecords": lambda repo, args, root: list_records(repo, args, root, True),
}
