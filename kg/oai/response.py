"""The XML of OAI-PMH responses (section 3.2 of the protocol), with ElementTree.

Every response is an ``OAI-PMH`` element in the protocol's namespace with a
``responseDate``, the ``request`` echoed, and the verb's element or errors.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kg.oai.index import IndexedRecord

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

# Prefixes used when writing; the protocol's namespace is the default one.
# (ElementTree's default_namespace option would refuse unqualified attributes.)
ET.register_namespace("", OAI)
ET.register_namespace("xsi", XSI)


def q(name: str) -> str:
    """The qualified name of an element of the protocol's namespace."""
    return f"{{{OAI}}}{name}"


def envelope(base_url: str, response_date: str) -> tuple[ET.Element, ET.Element]:
    """The root of a response and its ``request`` element (arguments set later)."""
    root = ET.Element(q("OAI-PMH"), {f"{{{XSI}}}schemaLocation": f"{OAI} {OAI_SCHEMA}"})
    ET.SubElement(root, q("responseDate")).text = response_date
    request = ET.SubElement(root, q("request"))
    request.text = base_url
    return root, request


def child(parent: ET.Element, name: str, text: str | None = None,
          **attributes: str) -> ET.Element:
    """A new element of the protocol's namespace under parent."""
    element = ET.SubElement(parent, q(name), attributes)
    if text is not None:
        element.text = text
    return element


def error(root: ET.Element, code: str, message: str) -> None:
    """An ``error`` element (the response's only content after the request)."""
    child(root, "error", message, code=code)


def header(parent: ET.Element, record: IndexedRecord) -> ET.Element:
    """A record's header: identifier, datestamp, sets; status for deleted records."""
    element = child(parent, "header", **({"status": "deleted"} if record.deleted else {}))
    child(element, "identifier", record.identifier)
    child(element, "datestamp", record.datestamp)
    for spec in record.sets:
        child(element, "setSpec", spec)
    return element


def resumption_token(parent: ET.Element, token: str, total: int, cursor: int) -> None:
    """The resumptionToken element; empty text on the last page of a list."""
    child(parent, "resumptionToken", token or None, completeListSize=str(total),
          cursor=str(cursor))


def serialize(root: ET.Element) -> bytes:
    """The response as UTF-8 XML."""
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
