"""The MARC21slim schema's rules, checked on a MARCXML document.

No copy of MARC21slim.xsd could be obtained legitimately at test time (none
ships in the PyPI, Debian or npm packages that were searched; the schema lives
on the Library of Congress's web site, which tests must not reach). So these
are the schema's rules, written from its documentation: the namespace, the
order of elements in a record, and the forms of the leader, tags, indicators
and subfield codes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

NS = "http://www.loc.gov/MARC21/slim"
LEADER = re.compile(r"[\d ]{5}[\dA-Za-z ][\dA-Za-z][\dA-Za-z ]{3}(2| )(2| )[\d ]{5}"
                    r"[\dA-Za-z ]{3}(4500|    )")
CONTROL_TAG = re.compile(r"00[1-9A-Za-z]")
DATA_TAG = re.compile(r"0[1-9A-Z][0-9A-Z]|0[1-9a-z][0-9a-z]|[1-9A-Z][0-9A-Z]{2}|"
                      r"[1-9a-z][0-9a-z]{2}")
INDICATOR = re.compile(r"[\da-z ]")
CODE = re.compile(r"[\dA-Za-z!\"#$%&'()*+,\-./:;<=>?{}_^`~\[\]\\]")
ORDER = {"leader": 0, "controlfield": 1, "datafield": 2}


def problems(document: bytes) -> list[str]:
    """What breaks the MARC21slim rules in a collection or record document (empty if none)."""
    root = ET.fromstring(document)
    found: list[str] = []
    if root.tag == f"{{{NS}}}collection":
        records = list(root)
        found += [f"unexpected {r.tag} in collection" for r in records
                  if r.tag != f"{{{NS}}}record"]
    elif root.tag == f"{{{NS}}}record":
        records = [root]
    else:
        return [f"root is {root.tag}, not a MARC21slim collection or record"]
    for number, record in enumerate(records, 1):
        found += [f"record {number}: {p}" for p in _record(record)]
    return found


def _record(record: ET.Element) -> list[str]:
    # xsi: attributes (schemaLocation) are allowed on any element of any schema.
    found = [f"attribute {a}" for a in record.attrib if a not in ("id", "type")
             and not a.startswith("{http://www.w3.org/2001/XMLSchema-instance}")]
    last, leaders = -1, 0
    for child in record:
        name = child.tag.removeprefix(f"{{{NS}}}")
        if name not in ORDER:
            found.append(f"unexpected element {child.tag}")
            continue
        if ORDER[name] < last:
            found.append(f"{name} out of order")
        last = ORDER[name]
        if name == "leader":
            leaders += 1
            if not LEADER.fullmatch(child.text or ""):
                found.append(f"leader {child.text!r}")
        elif name == "controlfield":
            if not CONTROL_TAG.fullmatch(child.get("tag", "")):
                found.append(f"controlfield tag {child.get('tag')!r}")
        else:
            found += _datafield(child)
    if leaders > 1:
        found.append("more than one leader")
    return found


def _datafield(field: ET.Element) -> list[str]:
    tag = field.get("tag", "")
    found = [] if DATA_TAG.fullmatch(tag) else [f"datafield tag {tag!r}"]
    for name in ("ind1", "ind2"):
        if not INDICATOR.fullmatch(field.get(name, "")):
            found.append(f"{tag} {name} {field.get(name)!r}")
    subfields = list(field)
    if not subfields:
        found.append(f"{tag} has no subfield")
    for subfield in subfields:
        if subfield.tag != f"{{{NS}}}subfield":
            found.append(f"{tag}: unexpected {subfield.tag}")
        elif not CODE.fullmatch(subfield.get("code", "")):
            found.append(f"{tag}: subfield code {subfield.get('code')!r}")
    return found
