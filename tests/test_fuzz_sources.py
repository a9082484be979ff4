"""Malformed sources from a committed corpus (tests/data/fuzz/sources) and from
hypothesis: each gives the problem it should, naming file, row and field; none
crashes a build or changes what is published; odd Unicode is kept exactly or
reported, never silently changed."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pyoxigraph import NamedNode

from kg.build import build, check
from kg.convert import Registry, convert_records
from kg.errors import KgError
from kg.iris import Minter
from kg.namespaces import FOAF
from kg.report import Report
from kg.sources import discover, read_records
from kg.store.releases import ReleaseStore
from tests.conftest import BASE
from tests.support import DEMO, REPO, kg_command

CORPUS = REPO / "tests" / "data" / "fuzz" / "sources"


def _expected() -> dict[str, str]:
    rows = [line.split("\t") for line in (CORPUS / "EXPECTED.tsv").read_text(
        encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return {name: text for name, text in rows}


EXPECTED = _expected()


def problems(path: Path) -> list[str]:
    """The report's lines for one file; only the project's own errors may come out."""
    try:
        outcome = check(discover([path]), BASE)
    except KgError as error:
        return [error.message]
    return outcome.report.lines()


def test_the_corpus_and_its_expectations_match() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.name != "EXPECTED.tsv"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_malformed_source_gets_its_problem(name: str) -> None:
    lines = problems(CORPUS / name)
    if not EXPECTED[name]:
        assert lines == []
        return
    assert any(EXPECTED[name] in line for line in lines), lines
    assert all(line.startswith(name) for line in lines), lines  # every line names the file


def test_a_build_with_the_whole_corpus_publishes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(discover([DEMO]), str(store), BASE)
    before = ReleaseStore(store).require_current()
    bad = [CORPUS / name for name, text in EXPECTED.items() if text]
    with pytest.raises(KgError) as failed:
        build(discover([DEMO, *bad]), str(store), BASE)
    assert failed.value.exit_code == 1
    assert ReleaseStore(store).require_current() == before
    assert [r.id for r in ReleaseStore(store).releases()] == [before.id]


MARC = sorted(name for name in EXPECTED if name.startswith("marc-"))
# Files that do not parse at all: one problem for the file, which even skip cannot pass.
UNREADABLE = {name for name in MARC if not EXPECTED[name].startswith("record ")}


def _kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(kg_command(*args), capture_output=True, text=True, timeout=120)


def test_marc_corpus_a_problem_per_record_and_nothing_published(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(discover([DEMO]), str(store), BASE)
    before = ReleaseStore(store).require_current()
    failed = _kg("build", "--store", str(store), "--on-error=fail", str(DEMO),
                 *(str(CORPUS / name) for name in MARC))
    assert failed.returncode == 1, failed.stderr
    lines = failed.stderr.splitlines()
    for name in MARC:  # file, record number and control number (or line) in one line
        assert any(line.startswith(f"{name} ") and EXPECTED[name] in line for line in lines), \
            (name, lines)
    assert "nothing published" in failed.stderr and "Traceback" not in failed.stderr
    assert [r.id for r in ReleaseStore(store).releases()] == [before.id]
    assert ReleaseStore(store).require_current() == before
    # skip passes the bad records over, but not a file that does not parse
    readable = [str(CORPUS / name) for name in MARC if name not in UNREADABLE]
    skipped = _kg("build", "--store", str(store), "--on-error=skip", *readable)
    assert skipped.returncode == 0, skipped.stderr
    assert f"{len(readable)} records skipped" in skipped.stdout
    assert ReleaseStore(store).require_current().manifest()["counts"]["resource"] == \
        len(readable)  # the other record of each file
    refused = _kg("build", "--store", str(store), "--on-error=skip",
                  *(str(CORPUS / name) for name in sorted(UNREADABLE)))
    assert refused.returncode == 1 and "nothing published" in refused.stderr


@pytest.mark.parametrize("size, expected", [
    (2_000_000, None),  # a 2 MB note is long, but it is data: kept
    (17 * 1024 * 1024, "row 2: field larger than field limit"),
])
def test_huge_cells(tmp_path: Path, size: int, expected: str | None) -> None:
    path = tmp_path / "people.csv"
    path.write_text(f"key,name,notes\nhuge,Huge,{'x' * size}\n", encoding="utf-8")
    lines = problems(path)
    assert (lines == []) if expected is None else any(expected in line for line in lines)


def _names(path: Path) -> list[str]:
    """The foaf:name values a source's records become (no store, no validation)."""
    source = discover([path])[0]
    report = Report()
    quads = list(convert_records(read_records(source), NamedNode(BASE + "graph/x"),
                                 Minter(BASE), report, Registry()))
    if report.errors:
        return ["problem: " + "; ".join(str(p) for p in report.errors)]
    return [q.object.value for q in quads if q.predicate == FOAF["name"]]


def _as_written(text: str) -> str:
    """What a text field becomes: runs of spaces collapsed, unless it has line breaks."""
    return " ".join(text.split()) if "\n" not in text else text.strip()


# Letters, marks, format characters (zero width, bidi), line and paragraph
# separators, private use, and the controls XML cannot carry; not ';', which
# separates values (docs/sources.md).
ODD = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=";"),
              min_size=1, max_size=30)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=ODD, form=st.sampled_from(["csv", "yaml", "json"]))
@example(name="line\u2028separator", form="csv")  # was split into two rows
@example(name="next\x85line\x0cfeed", form="csv")
@example(name="Nguy\x00en", form="json")
@example(name="\u202eevil\u202c \u200bname", form="yaml")
def test_odd_unicode_is_kept_exactly_or_reported(tmp_path_factory, name: str,
                                                 form: str) -> None:
    path = tmp_path_factory.mktemp("odd") / f"people.{form}"
    record = {"key": "odd", "name": name}
    if form == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([list(record), list(record.values())])
        path.write_text(out.getvalue(), encoding="utf-8")
    elif form == "yaml":
        path.write_text(yaml.safe_dump({"people": [record]}, allow_unicode=True),
                        encoding="utf-8")
    else:
        path.write_text(json.dumps({"people": [record]}, ensure_ascii=False), encoding="utf-8")
    found = _names(path)
    if found and found[0].startswith("problem: "):
        assert "'name'" in found[0]  # the field is named
    else:
        # Outer spaces go, and a blank cell is an absent one, as the sources doc says.
        written = _as_written(name.strip())
        assert found == ([written] if written else []), (name, found)
