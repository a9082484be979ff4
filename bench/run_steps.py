"""The steps of ``make bench`` (:mod:`bench.run`): preparing data, then each benchmark.

Each step is one command in its own process; its standard output (the
benchmark's table) is kept for the report, its standard error goes to a log
file in the work folder. A preparing step whose result already exists is not
run again.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGE_STORE = 250_000  # resources of the page store (about 10.6M triples)
MARC_RECORDS = 250_000


@dataclass(frozen=True)
class Plan:
    """What one run of bench.run does."""

    mode: str  # full, quick or smoke
    sizes: dict[str, int]  # label -> triples to generate
    runs: int
    only: tuple[str, ...]
    data: Path
    work: Path
    readme: Path
    python: str

    def lib(self, label: str) -> Path:
        return self.data / f"lib-{label}"

    def store(self, label: str) -> Path:
        return self.data / f"store-{label}"


@dataclass
class Outcome:
    """How a step went: its exit status, seconds and output."""

    step: Step
    status: str  # ok, failed, kept (prepared before)
    seconds: float = 0.0
    output: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class Step:
    """One command: a benchmark, or the preparing of its data (``done`` when made)."""

    name: str
    command: list[str]
    done: Path | None = None
    tags: tuple[str, ...] = field(default=())

    def run(self, work: Path) -> Outcome:
        """Run the command unless its result exists; its output kept, its errors logged."""
        if self.done is not None and self.done.exists():
            return Outcome(self, "kept")
        print(f"--- {self.name}: {' '.join(self.command)}", flush=True)
        log = work / (self.name.replace(" ", "-").replace("/", "-") + ".log")
        started = time.monotonic()
        with log.open("w", encoding="utf-8") as errors:
            finished = subprocess.run(self.command, stdout=subprocess.PIPE, stderr=errors,
                                      text=True, cwd=HERE.parent, check=False)
        seconds = time.monotonic() - started
        print(finished.stdout, flush=True)
        if finished.returncode != 0:
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
            return Outcome(self, "failed", seconds, finished.stdout + "\n".join(tail))
        return Outcome(self, "ok", seconds, finished.stdout)

    def shown(self) -> str:
        """The command as a reader would type it from the repository's root."""
        words = [".venv/bin/python" if w.endswith(("python", "python3")) else w
                 for w in self.command]
        return " ".join(str(Path(w).relative_to(HERE.parent)) if w.startswith(str(HERE.parent))
                        else w for w in words)


def prepare(plan: Plan) -> list[Step]:
    """Generated sources and their stores for each size; the page store when needed."""
    py = plan.python
    steps = []
    for label, triples in plan.sizes.items():
        steps.append(Step(f"generate {label}", [py, "-m", "bench.generate", "--triples",
                                                str(triples), "--out", str(plan.lib(label))],
                          done=plan.lib(label)))
        steps.append(Step(f"kg build {label}", [py, "-m", "kg", "build", str(plan.lib(label)),
                                                "--store", str(plan.store(label))],
                          done=plan.store(label) / "current"))
    if "pages" in plan.only and plan.mode == "full":
        out = plan.data / "pages-250k"
        steps.append(Step("page store 250k", [py, "-m", "bench.pages_store", "--resources",
                                              str(PAGE_STORE), "--out", str(out)],
                          done=out / "store" / "current"))
    return steps


def plan_steps(plan: Plan) -> list[Step]:
    """Every benchmark the plan asks for, each with its baseline inside."""
    makers = {"build": _build, "sparql": _sparql, "pages": _pages, "dumps": _dumps,
              "oai": _oai, "marc": _marc, "remote": _remote}
    return [step for name in plan.only for step in makers[name](plan)]


def _build(plan: Plan) -> list[Step]:
    """bench/build.py (the whole build against bulk_load) if present, else bench/validate.py."""
    sizes = [str(n) for n in plan.sizes.values()]
    if (HERE / "build.py").exists():
        return [Step("build", [plan.python, "-m", "bench.build", "--triples", *sizes,
                               "--runs", str(plan.runs), "--work", str(plan.work / "build")])]
    return [Step("build", [plan.python, "-m", "bench.validate", "--triples", *sizes, "--runs",
                           str(plan.runs), "--validators", "sparql", "--work",
                           str(plan.work / "validate")])]


def _sparql(plan: Plan) -> list[Step]:
    seconds = {"full": "5", "quick": "3", "smoke": "0.3"}[plan.mode]
    return [Step(f"sparql {label}", [plan.python, "-m", "bench.sparql", "--store",
                                     str(plan.store(label)), "--seconds", seconds,
                                     "--concurrency", "4", "--runs", str(plan.runs)])
            for label in plan.sizes]


def _pages(plan: Plan) -> list[Step]:
    requests = {"full": "800", "quick": "400", "smoke": "40"}[plan.mode]
    stores = {label: plan.store(label) for label in plan.sizes}
    if plan.mode == "full":
        stores["250k resources"] = plan.data / "pages-250k" / "store"
    return [Step(f"pages {label}", [plan.python, "-m", "bench.pages", "--store", str(store),
                                    "--runs", str(plan.runs), "--requests", requests])
            for label, store in stores.items()]


def _dumps(plan: Plan) -> list[Step]:
    return [Step(f"dumps {label}", [plan.python, "-m", "bench.dumps", "--store",
                                    str(plan.store(label)), "--runs", str(plan.runs)])
            for label in plan.sizes]


def _oai(plan: Plan) -> list[Step]:
    """Page 1 against the deepest page the data has, up to page 1,000 (20 records a page)."""
    steps = []
    for label, triples in plan.sizes.items():
        page_size, depth = (5, 5) if triples < 50_000 else (20, min(1000, triples // 1000))
        steps.append(Step(f"oai {label}", [plan.python, "-m", "bench.oai", "--store",
                                           str(plan.store(label)), "--page-size", str(page_size),
                                           "--depth", str(depth), "--repeat",
                                           "3" if plan.mode == "smoke" else "15"]))
    return steps


def _marc(plan: Plan) -> list[Step]:
    records = MARC_RECORDS if plan.mode == "full" else 20_000
    return [Step("marc", [plan.python, "-m", "bench.marc", "--records", str(records),
                          "--repeat", str(plan.runs)])]


def _remote(plan: Plan) -> list[Step]:
    """Publishing to and reading from oxigraph serve (and Virtuoso, where installed)."""
    stores = ["oxigraph"] + (["virtuoso"] if shutil.which("virtuoso-t") else [])
    smallest = min(plan.sizes.values())
    return [Step("remote", [plan.python, "-m", "bench.remote", "--triples", str(smallest),
                            "--runs", str(plan.runs), "--stores", *stores])]
