"""Every benchmark against its baseline, in one run: ``make bench``.

    python -m bench.run                       # 100k, 1M and 5M triples, MARC, 3 runs each
    python -m bench.run --quick               # 100k only, one run each, short loads
    python -m bench.run --sizes 100k 1m --only sparql pages
    python -m bench.run --smoke               # a tiny size, a minute or two (make bench-smoke)

Prepares what is missing (generated sources and their stores in ``bench/data``,
the page store and the MARC records via :mod:`bench.pages_store` and
:mod:`bench.marc`), then runs each benchmark as its own process, which starts
its own baseline in the same run (Oxigraph's ``bulk_load``, ``oxigraph
serve``, ``Store.dump`` ...) and prints its table of median (min-max) over the
runs. The report (the machine, the versions, the load, each command with its
table) replaces what lies between the markers in ``bench/README.md``
(``--smoke`` writes it to ``bench/work/run/results.md`` instead).
A failing benchmark is reported and the others go on; the exit status is 1 if
any failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.run_report import machine, write_report
from bench.run_steps import Outcome, Plan, plan_steps, prepare

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
WORK = HERE / "work" / "run"
SIZES = {"tiny": 10_000, "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}
BENCHMARKS = ("build", "sparql", "pages", "dumps", "oai", "marc", "remote")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=None,
                        help="generated data sizes (default: 100k 1m 5m)")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=None,
                        help="run only these benchmarks")
    parser.add_argument("--runs", type=int, default=None, help="runs of each benchmark")
    parser.add_argument("--quick", action="store_true",
                        help="100k only, one run, short loads, no MARC or 5M")
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny size, to check that every benchmark runs")
    parser.add_argument("--readme", type=Path, default=None,
                        help="file whose marked section gets the report")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--data", type=Path, default=HERE / "data")
    return parser.parse_args(argv)


def make_plan(args: argparse.Namespace) -> Plan:
    """What to run and how hard, from the options."""
    if args.smoke:
        sizes, runs, only = ["tiny"], 1, args.only or ["build", "sparql", "pages", "dumps", "oai"]
        readme = args.readme or args.work / "results.md"
    elif args.quick:
        sizes, runs, only = ["100k"], 1, args.only or [b for b in BENCHMARKS if b != "marc"]
        readme = args.readme or README
    else:
        sizes, runs, only = ["100k", "1m", "5m"], 3, args.only or list(BENCHMARKS)
        readme = args.readme or README
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    return Plan(mode=mode, sizes={s: SIZES[s] for s in (args.sizes or sizes)},
                runs=args.runs or runs, only=tuple(only), data=args.data, work=args.work,
                readme=readme, python=sys.executable)


def run_all(plan: Plan) -> list[Outcome]:
    """Prepare the data, then each benchmark in turn; every outcome, failed or not."""
    plan.work.mkdir(parents=True, exist_ok=True)
    outcomes = [step.run(plan.work) for step in prepare(plan)]
    if any(not o.ok for o in outcomes):
        return outcomes  # without its data no benchmark can run
    for step in plan_steps(plan):
        outcomes.append(step.run(plan.work))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = make_plan(args)
    started = time.monotonic()
    before = machine()
    print(f"bench.run ({plan.mode}): {', '.join(plan.sizes)}; {', '.join(plan.only)}; "
          f"{plan.runs} run(s); load {before['load']}", flush=True)
    outcomes = run_all(plan)
    write_report(plan, before, outcomes, time.monotonic() - started)
    failed = [o.step.name for o in outcomes if not o.ok]
    print(f"report written to {plan.readme}" + (f"; failed: {', '.join(failed)}"
                                                  if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
