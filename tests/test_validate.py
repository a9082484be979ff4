"""Invalid data is reported in plain words naming file, row or line, key and field.

Each case adds one bad source to the demo and checks the report's line, so the
shapes, the converters and the messages are tested together.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import check
from kg.sources import discover
from tests.support import DEMO

BASE = "http://127.0.0.1:5000/"
TTL = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix id: <http://127.0.0.1:5000/id/> .
"""

CASES = [
    ("missing required field, CSV", "extra-people.csv",
     "key,name,family_name\nnguyen-van-a,,Nguyen\n",
     "extra-people.csv row 2 (nguyen-van-a): 'name' is required"),
    ("bad birth date, CSV", "extra-people.csv",
     "key,name,birth_date\nnguyen-van-a,Nguyen Van A,31/5/80\n",
     "extra-people.csv row 2 (nguyen-van-a): 'birth_date' must be a date like 1980-05-31, or a "
     "month like 2024-05, or a year like 2024, got '31/5/80'"),
    ("bad date, CSV", "extra-positions.csv",
     "key,person,organization,start_date\np1,trinh-phi-cuong,tdtu-inspire-library,31/5/80\n",
     "extra-positions.csv row 2 (p1): 'start_date' must be a date like 1980-05-31, got '31/5/80'"),
    ("dangling reference, CSV", "extra-positions.csv",
     "key,person,organization\np1,trinh-phi-cuong,no-such-unit\n",
     "extra-positions.csv row 2 (p1): 'organization' refers to 'organization/no-such-unit', "
     "which is not an organization in any source"),
    ("reference to the wrong kind, CSV", "extra-positions.csv",
     "key,person,organization\np1,tdtu-inspire-library,tdtu-inspire-library\n",
     "extra-positions.csv row 2 (p1): 'person' refers to 'person/tdtu-inspire-library', "
     "which is not a person in any source"),
    ("name without language, CSV", "extra-organizations.csv",
     "key,name\nx,Some Library\n",
     "extra-organizations.csv row 2 (x): 'name' needs a language: write it as name_vi or name_en"),
    ("agreement with one party, YAML", "extra-agreements.yaml",
     "agreements:\n  - key: a1\n    title_en: Licence\n    parties: [ton-duc-thang-university]\n",
     "extra-agreements.yaml line 2 (a1): 'parties' needs at least 2 values"),
    ("bad event date, YAML", "extra-events.yaml",
     "events:\n  - key: e1\n    name_en: Talk\n    start_date: 3 December\n",
     "extra-events.yaml line 2 (e1): 'start_date' must be a date like 1980-05-31, or a date and "
     "time like 2024-12-03T09:00, or a month like 2024-05, or a year like 2024, or a day of an "
     "unknown year like --12-03, got '3 December'"),
    ("missing required field, Turtle", "extra.ttl",
     TTL + "\n<http://127.0.0.1:5000/id/person/le-van-c> a foaf:Person .\n",
     "extra.ttl line 6 (le-van-c): 'name' is required"),
    ("dangling reference, Turtle", "extra.ttl",
     TTL + "\n<http://127.0.0.1:5000/id/position/p9> a org:Membership ;\n"
           "  org:member <http://127.0.0.1:5000/id/person/trinh-phi-cuong> ;\n"
           "  org:organization <http://127.0.0.1:5000/id/organization/ghost> .\n",
     "extra.ttl line 6 (p9): 'organization' refers to 'organization/ghost', which is not an "
     "organization in any source"),
    ("bad key, Turtle", "extra.ttl",
     TTL + "\n<http://127.0.0.1:5000/id/person/Le_Van_C> a foaf:Person ; foaf:name \"C\" .\n",
     "extra.ttl line 6 (Le_Van_C): 'key' must be lower-case letters, digits and hyphens "
     "(like trinh-phi-cuong), got 'http://127.0.0.1:5000/id/person/Le_Van_C'"),
    ("Turtle syntax error", "extra.ttl", TTL + "\nid:x a foaf:Person ; foaf:name \"x .\n",
     "extra.ttl line 6 column 32: "),
    ("YAML that is not a list of records", "extra-people.yaml", "people: nguyen-van-a\n",
     "extra-people.yaml: 'people' must be a list of records"),
]


@pytest.mark.parametrize("name, filename, text, expected", CASES, ids=[c[0] for c in CASES])
def test_invalid_records_are_reported(tmp_path: Path, name: str, filename: str, text: str,
                                      expected: str) -> None:
    bad = tmp_path / filename
    bad.write_text(text, encoding="utf-8")
    outcome = check(discover([DEMO, bad]), BASE)
    assert not outcome.report.conforms
    lines = outcome.report.lines()
    assert any(line.startswith(expected) for line in lines), "\n".join(lines)
    # Nothing else in the demo is blamed.
    assert all(line.startswith(filename) for line in lines), "\n".join(lines)


def test_demo_conforms() -> None:
    outcome = check(discover([DEMO]), BASE)
    assert outcome.report.conforms, outcome.report.lines()
    assert outcome.records == 50
