"""bench/generate.py: the generated library refers only to what it defines, at any size."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench.generate import generate


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("triples", [2_000, 5_000, 20_000])
def test_agreements_and_positions_name_organizations_that_exist(tmp_path: Path,
                                                                 triples: int) -> None:
    generate(triples, tmp_path)
    organizations = {row["key"] for row in _rows(tmp_path / "organizations.csv")}
    agreements = _rows(tmp_path / "agreements.csv")
    assert agreements
    for agreement in agreements:
        parties = [p.strip() for p in agreement["parties"].split(";")]
        assert len(set(parties)) == 2 and set(parties) <= organizations, agreement
    assert {row["organization"] for row in _rows(tmp_path / "positions.csv")} <= organizations
