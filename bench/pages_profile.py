"""Where a page's time and its tail go: per-request wall and CPU, GC pauses, slow URLs.

    python -m bench.pages_profile --store /tmp/mb5/work/generated-5000000/store --requests 800

Runs the app in this process (Flask's test client, one thread: no HTTP, no
queue) over the same random pages and searches as :mod:`bench.pages`, and
reports per workload: wall and CPU time per request (p50, p99, max), the
cyclic garbage collector's pauses (how many, of which generation, and their
share of the requests above p95), and the slowest URLs, each requested again
to tell a heavy page from a pause. ``--cprofile`` adds the top frames by
cumulative CPU time; ``--ready`` first readies the app as ``kg serve`` readies
each worker (:mod:`web.warmup`: warm-up, then ``gc.freeze``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import time
from pathlib import Path

from bench.pages import SEARCH_WORDS, _keys

_pauses: list[tuple[int, float]] = []  # (generation, seconds) of collections seen
_started: list[float] = []


def _watch_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _started.append(time.perf_counter())
    elif _started:
        _pauses.append((info["generation"], time.perf_counter() - _started.pop()))


def _paths(store: Path, requests: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    return {
        "resource page": [f"/page/resource/{k}" for k in _keys(store, "resource", requests, rng)],
        "person page": [f"/page/person/{k}" for k in _keys(store, "person", requests, rng)],
        "search": [f"/search?q={rng.choice(SEARCH_WORDS)}" for _ in range(requests)],
    }


def _time(client, paths: list[str]) -> list[dict]:
    """Each request's wall and CPU milliseconds and the GC pauses inside it."""
    timed = []
    for path in paths:
        _pauses.clear()
        wall, cpu = time.perf_counter(), time.thread_time()
        response = client.get(path, headers={"Accept-Language": "vi"})
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} {path}")
        timed.append({"path": path, "wall": 1000 * wall, "cpu": 1000 * cpu,
                      "gc": [(gen, 1000 * s) for gen, s in _pauses]})
    return timed


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def report(name: str, timed: list[dict], client) -> None:
    """Percentiles, GC, and the slowest URLs requested again."""
    walls, cpus = [t["wall"] for t in timed], [t["cpu"] for t in timed]
    pauses = [p for t in timed for p in t["gc"]]
    tail = [t for t in timed if t["wall"] >= _pct(walls, 0.95)]
    print(f"\n## {name}: {len(timed)} requests")
    print(f"wall ms p50 {_pct(walls, .5):.1f} p99 {_pct(walls, .99):.1f} max {max(walls):.1f}; "
          f"cpu ms p50 {_pct(cpus, .5):.1f} p99 {_pct(cpus, .99):.1f} max {max(cpus):.1f}")
    for gen in (0, 1, 2):
        mine = [ms for g, ms in pauses if g == gen]
        if mine:
            print(f"gc gen{gen}: {len(mine)} pauses, median {_pct(mine, .5):.2f} ms, "
                  f"max {max(mine):.2f} ms, total {sum(mine):.0f} ms")
    with_gc = sum(1 for t in tail if any(g == 2 for g, _ in t["gc"]))
    print(f"requests at or above p95 ({len(tail)}): {with_gc} had a gen2 collection")
    print("slowest: wall ms (cpu ms) [gc] -> again wall ms")
    for t in sorted(timed, key=lambda t: -t["wall"])[:8]:
        again = time.perf_counter()
        client.get(t["path"], headers={"Accept-Language": "vi"})
        again = 1000 * (time.perf_counter() - again)
        gcs = ",".join(f"g{g}:{ms:.1f}" for g, ms in t["gc"])
        print(f"  {t['wall']:6.1f} ({t['cpu']:5.1f}) [{gcs}] -> {again:5.1f}  {t['path']}")


def top_frames(client, paths: list[str], lines: int) -> None:
    """cProfile's top frames by cumulative time over the paths (CPU clock)."""
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for path in paths:
        client.get(path, headers={"Accept-Language": "vi"})
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(lines)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cprofile", type=int, default=0, help="top N frames (0: none)")
    parser.add_argument("--ready", action="store_true",
                        help="warm up and freeze the heap first, as kg serve's workers do")
    args = parser.parse_args()
    from web import create_app

    app = create_app({"store": str(args.store)})
    if args.ready:
        from web.warmup import ready_worker

        print(ready_worker(app))
    client = app.test_client()
    gc.callbacks.append(_watch_gc)
    print(f"load: {os.getloadavg()}; gc thresholds {gc.get_threshold()}; "
          f"tracked objects {len(gc.get_objects())}; frozen {gc.get_freeze_count()}")
    for name, paths in _paths(args.store, args.requests, args.seed).items():
        client.get(paths[0])  # warm the templates and the release's caches
        report(name, _time(client, paths), client)
        if args.cprofile:
            top_frames(client, paths[:200], args.cprofile)
    print(f"\nafter: tracked objects {len(gc.get_objects())}; load: {os.getloadavg()}")


if __name__ == "__main__":
    main()
