"""``make bench``'s orchestrator (bench/run.py) in its smoke mode, end to end.

Benchmarks are not tests; this only checks that the orchestrator prepares its
data, runs benchmarks with their baselines (here the SPARQL endpoint against
``oxigraph serve`` and OAI-PMH paging) and writes the report between its
markers without touching the rest of the file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.run_report import BEGIN, END
from tests.support import require_tool

ROOT = Path(__file__).resolve().parent.parent


def test_smoke_run_prepares_data_runs_benchmarks_and_replaces_the_marked_section(
        tmp_path: Path) -> None:
    require_tool(str(Path(sys.executable).parent / "oxigraph"))
    readme = tmp_path / "README.md"
    readme.write_text(f"# Notes\n\nkept above\n\n{BEGIN}\nold figures\n{END}\n\nkept below\n",
                      encoding="utf-8")
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--only", "sparql", "oai",
         "--data", str(tmp_path / "data"), "--work", str(tmp_path / "work"),
         "--readme", str(readme)], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    assert (tmp_path / "data" / "store-tiny" / "current" / "manifest.json").exists()
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Notes\n\nkept above\n") and text.endswith("\nkept below\n")
    assert "old figures" not in text and text.count(BEGIN) == 1 and text.count(END) == 1
    report = text[text.index(BEGIN):text.index(END)]
    assert "| kg build tiny | ok |" in report and "| sparql tiny | ok |" in report
    assert "cores" in report and "pyoxigraph" in report
    # Each benchmark's own table, with the baseline of the same run beside ours.
    assert "point lookup" in report and "(kg / oxigraph)" in report
    assert "ratio page 5 / page 1" in report


def test_a_failing_step_is_reported_and_the_exit_status_says_so(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    # A store that is not there: the OAI-PMH benchmark fails, the report says which.
    (tmp_path / "data" / "lib-tiny").mkdir(parents=True)
    (tmp_path / "data" / "store-tiny" / "current").mkdir(parents=True)
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--only", "oai", "--data",
         str(tmp_path / "data"), "--work", str(tmp_path / "work"), "--readme", str(readme)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 1
    assert "failed: oai tiny" in finished.stdout
    report = readme.read_text(encoding="utf-8")
    assert "| oai tiny | failed |" in report and "#### oai tiny (failed)" in report
