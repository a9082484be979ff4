"""The report of ``make bench`` (:mod:`bench.run`): the machine, the versions, each table.

It replaces what lies between two markers of a Markdown file, so a run leaves
the rest of ``bench/README.md`` (the engineers' notes) as it was::

    <!-- bench.run: begin -->
    ...
    <!-- bench.run: end -->
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.run_steps import Outcome, Plan

BEGIN = "<!-- bench.run: begin -->"
END = "<!-- bench.run: end -->"


def machine() -> dict[str, str]:
    """Cores, memory, processor, versions and load, as the report states them."""
    import pyoxigraph

    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 ** 2:.1f} GiB"
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    return {"cores": str(os.cpu_count()), "memory": memory, "cpu": cpu,
            "python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__,
            "oxigraph": _oxigraph_version(), "load": " ".join(
                f"{x:.2f}" for x in os.getloadavg()),
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def _oxigraph_version() -> str:
    """The version of the `oxigraph` server the baselines start (PyPI package `oxigraph`)."""
    command = Path(sys.executable).parent / "oxigraph"
    try:
        shown = subprocess.run([str(command), "--version"], capture_output=True, text=True,
                               timeout=30, check=False).stdout.strip()
    except OSError:
        return "not installed (pip install -e '.[bench]')"
    return shown.removeprefix("oxigraph ").strip() or "?"


def render(plan: Plan, before: dict[str, str], outcomes: list[Outcome], seconds: float) -> str:
    """The report in Markdown, between the markers."""
    after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [BEGIN, "", f"### Last `bench.run` ({plan.mode}): {before['when']}", "",
             f"Machine: {before['cores']} cores ({before['cpu']}), {before['memory']} RAM. "
             f"Python {before['python']}, pyoxigraph {before['pyoxigraph']}, oxigraph server "
             f"{before['oxigraph']}. Load average (1, 5, 15 min) {before['load']} at the "
             f"start, {after} at the end. Sizes: "
             f"{', '.join(f'{k} ({v:,} triples)' for k, v in plan.sizes.items())}; "
             f"{plan.runs} run(s) of each benchmark; {seconds / 60:.1f} min in all.", "",
             "| step | status | seconds |", "| --- | --- | --- |"]
    lines += [f"| {o.step.name} | {o.status} | {o.seconds:.0f} |" for o in outcomes]
    for outcome in outcomes:
        if outcome.status == "kept" or not outcome.output.strip() and outcome.ok:
            continue
        lines += ["", f"#### {outcome.step.name}" + (" (failed)" if not outcome.ok else ""),
                  "", "```sh", outcome.step.shown(), "```", "", "```text",
                  outcome.output.strip(), "```"]
    return "\n".join(lines + ["", END])


def replace_section(text: str, section: str) -> str:
    """The text with its marked section replaced (or the section added at the end)."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return text.rstrip("\n") + "\n\n" + section + "\n"
    return text[:start] + section + text[end + len(END):]


def write_report(plan: Plan, before: dict[str, str], outcomes: list[Outcome],
                 seconds: float) -> None:
    """Write the report into the plan's Markdown file, between the markers."""
    section = render(plan, before, outcomes, seconds)
    plan.readme.parent.mkdir(parents=True, exist_ok=True)
    old = plan.readme.read_text(encoding="utf-8") if plan.readme.exists() else ""
    plan.readme.write_text(replace_section(old, section), encoding="utf-8")
