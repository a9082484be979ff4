"""The `kg` command: exit codes, summaries and messages, as users see them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli
from tests.support import DEMO, kg_command


def kg(*args: str) -> subprocess.CompletedProcess:
    """Run the real command (exit codes come from kg.cli.main, not click's runner)."""
    return subprocess.run(kg_command(*args), capture_output=True, text=True)


def test_build_demo_by_default_then_info(store_dir: Path) -> None:
    result = kg("build", "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    assert "7 sources: 50 records" in result.stdout
    assert "0 errors" in result.stdout
    info = kg("info", "--store", str(store_dir), "--json")
    manifest = json.loads(info.stdout)
    assert manifest["counts"]["person"] == 8


def test_build_invalid_exits_1_and_keeps_release(tmp_path: Path, store_dir: Path) -> None:
    assert kg("build", "--store", str(store_dir)).returncode == 0
    before = kg("info", "--store", str(store_dir)).stdout
    bad = tmp_path / "extra-people.csv"
    bad.write_text("key,name,family_name\nnguyen-van-a,,Nguyen\n", encoding="utf-8")
    bad_ttl = tmp_path / "extra.ttl"
    bad_ttl.write_text("@prefix org: <http://www.w3.org/ns/org#> .\n"
                       "<http://127.0.0.1:5000/id/position/x> a org:Membership ;\n"
                       "  org:member <http://127.0.0.1:5000/id/person/nobody> ;\n"
                       "  org:organization "
                       "<http://127.0.0.1:5000/id/organization/tdtu-inspire-library> .\n",
                       encoding="utf-8")
    result = kg("build", "--store", str(store_dir), str(DEMO), str(bad), str(bad_ttl))
    assert result.returncode == 1
    assert "extra-people.csv row 2 (nguyen-van-a): 'name' is required" in result.stderr
    assert "extra.ttl line 2 (x): 'person' refers to 'person/nobody'" in result.stderr
    assert "nothing published" in result.stderr
    assert kg("info", "--store", str(store_dir)).stdout == before


def test_usage_and_io_errors_exit_2(tmp_path: Path, store_dir: Path) -> None:
    missing = kg("build", "--store", str(store_dir), str(tmp_path / "nope.csv"))
    assert missing.returncode == 2
    assert "no such file or folder" in missing.stderr
    assert kg("info", "--store", str(store_dir)).returncode == 2
    assert kg("build", "--no-such-flag").returncode == 2


def test_validate_exit_codes(tmp_path: Path) -> None:
    assert kg("validate", str(DEMO)).returncode == 0
    lonely = tmp_path / "positions.csv"
    lonely.write_text("key,person,organization\np,someone,somewhere\n", encoding="utf-8")
    result = kg("validate", str(lonely))
    assert result.returncode == 1
    assert "positions.csv row 2 (p): 'person' refers to 'person/someone'" in result.stderr


def test_query_formats(demo_store: Path) -> None:
    runner = CliRunner()
    query = "SELECT ?name WHERE { ?p a foaf:Person ; foaf:name ?name } ORDER BY ?name"
    table = runner.invoke(cli, ["query", query, "--store", str(demo_store)])
    assert table.exit_code == 0
    assert "Trịnh Phi Cường" in table.output and "8 rows" in table.output
    csv_out = runner.invoke(cli, ["query", query, "--store", str(demo_store), "--format", "csv"])
    assert csv_out.output.splitlines()[0] == "name"
    assert len(csv_out.output.splitlines()) == 9
    ask = runner.invoke(cli, ["query", "ASK { ?s a org:Membership }", "--store", str(demo_store)])
    assert ask.output.strip() == "true"


def test_query_from_file_and_construct(tmp_path: Path, demo_store: Path) -> None:
    rq = tmp_path / "orgs.rq"
    rq.write_text("CONSTRUCT { ?o skos:prefLabel ?l } WHERE { ?o a org:Organization ; "
                  "skos:prefLabel ?l }", encoding="utf-8")
    result = CliRunner().invoke(cli, ["query", f"@{rq}", "--store", str(demo_store),
                                      "--format", "nt"])
    assert result.exit_code == 0
    assert result.output.count("\n") >= 12


def test_query_syntax_error_is_a_usage_error(demo_store: Path) -> None:
    result = kg("query", "SELECT * WHERE { ?s ?p }", "--store", str(demo_store))
    assert result.returncode == 2
    assert "syntax error" in result.stderr and "1:" in result.stderr


def test_rollback_command(tmp_path: Path, store_dir: Path) -> None:
    kg("build", "--store", str(store_dir))
    extra = tmp_path / "extra-people.csv"
    extra.write_text("key,name\nle-van-c,Le Van C\n", encoding="utf-8")
    kg("build", "--store", str(store_dir), str(DEMO), str(extra))
    result = kg("rollback", "--store", str(store_dir))
    assert result.returncode == 0 and "00001-" in result.stdout
    manifest = json.loads(kg("info", "--store", str(store_dir), "--json").stdout)
    assert manifest["counts"]["person"] == 8
