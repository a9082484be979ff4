"""The official XML schemas the exports are validated against, got from PyPI.

Nothing here is committed: the schemas come from packages on PyPI that ship
verbatim copies, downloaded once with ``pip download`` into
``tests/artifacts/schemas/`` (git-ignored):

- ``OAI-PMH.xsd``: the source distribution of pyoai 2.5.0 (its tests use it;
  its copy says ``processContents="skip"`` where the official one says
  ``strict``, so :func:`assert_valid` validates metadata on its own);
- ``oai_dc.xsd`` and ``simpledc20021212.xsd``: the source distribution of
  core-oaipmh-provider-app 2.23.0 (NIST's CDCS OAI-PMH provider ships them);
- ``xml.xsd`` (for ``xml:lang``): the xmlschema package, a test dependency.

The schemas import each other by their web addresses; the local copies are
made to point at each other instead, since tests have no web access.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from functools import cache
from pathlib import Path

import pytest

from tests.marcxml_structure import problems as marc_problems
from tests.support import IN_CI, REPO

SCHEMAS = REPO / "tests" / "artifacts" / "schemas"
# file -> (package on PyPI, path of the file inside its source distribution)
SOURCES = {
    "OAI-PMH.xsd": ("pyoai==2.5.0", "pyoai-2.5.0/src/oaipmh/tests/OAI-PMH.xsd"),
    "oai_dc.xsd": ("core-oaipmh-provider-app==2.23.0",
                   "core_oaipmh_provider_app-2.23.0/core_oaipmh_provider_app/static/"
                   "core_oaipmh_provider_app/xsd/oai_dc.xsd"),
    "simpledc20021212.xsd": ("core-oaipmh-provider-app==2.23.0",
                             "core_oaipmh_provider_app-2.23.0/core_oaipmh_provider_app/static/"
                             "core_oaipmh_provider_app/xsd/simpledc20021212.xsd"),
}
# Web addresses in the schemas' imports -> the local file that stands for them.
LOCAL = {
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
}
OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(f"{message} (CI must reach PyPI to get the official schemas)")
    pytest.skip(message)


def _download(package: str, into: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
         ":all:", "-d", str(into), package],
        capture_output=True, text=True, timeout=300)
    archives = sorted(into.glob("*.tar.gz"))
    if result.returncode != 0 or not archives:
        _unavailable(f"pip download {package} failed: {result.stderr.strip()[-300:]}")
    return archives[-1]


def schema_folder() -> Path:
    """The folder with the schemas, downloading them on first use."""
    if all((SCHEMAS / name).is_file() for name in [*SOURCES, "xml.xsd"]):
        return SCHEMAS
    SCHEMAS.mkdir(parents=True, exist_ok=True)
    by_package: dict[str, list[str]] = {}
    for name, (package, _) in SOURCES.items():
        by_package.setdefault(package, []).append(name)
    with tempfile.TemporaryDirectory() as scratch:
        for package, names in by_package.items():
            archive = _download(package, Path(scratch) / package.split("==")[0])
            with tarfile.open(archive) as tar:
                for name in names:
                    text = tar.extractfile(SOURCES[name][1]).read().decode("utf-8")
                    (SCHEMAS / name).write_text(_localized(text), encoding="utf-8")
    import xmlschema

    xml_xsd = Path(xmlschema.__file__).parent / "schemas" / "XML" / "xml.xsd"
    (SCHEMAS / "xml.xsd").write_text(xml_xsd.read_text(encoding="utf-8"), encoding="utf-8")
    return SCHEMAS


def _localized(text: str) -> str:
    for url, name in LOCAL.items():
        text = text.replace(f'schemaLocation="{url}"', f'schemaLocation="{name}"')
    return text


@cache
def schema(name: str):
    """An lxml schema of one of the files (its imports resolved locally)."""
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(schema_folder() / name)))


MARC21_SLIM = "http://www.loc.gov/MARC21/slim"
# Namespace of metadata -> schema file that validates it.
METADATA_SCHEMAS = {OAI_DC: "oai_dc.xsd"}


def assert_valid(document: bytes) -> None:
    """Fail with the validators' messages unless an OAI-PMH response is valid.

    The response is validated against OAI-PMH.xsd, and each record's metadata
    against the schema of its namespace: what the official schema's strict
    wildcard asks (pyoai's copy of OAI-PMH.xsd relaxes it to ``skip``).
    """
    from lxml import etree

    tree = etree.fromstring(document)
    _check(schema("OAI-PMH.xsd"), tree)
    for metadata in tree.iter(f"{{{OAI}}}metadata"):
        (content,) = list(metadata)
        namespace = etree.QName(content).namespace
        if namespace == MARC21_SLIM:
            # No legitimate copy of MARC21slim.xsd exists here: its rules instead.
            found = marc_problems(etree.tostring(content))
            assert not found, f"not valid MARCXML: {found}"
            continue
        assert namespace in METADATA_SCHEMAS, f"no schema for metadata in {namespace}"
        _check(schema(METADATA_SCHEMAS[namespace]), content)


def _check(validator, element) -> None:
    if not validator.validate(element):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in validator.error_log)
        raise AssertionError(f"not valid against the schema:\n{errors}")
