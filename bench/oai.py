"""OAI-PMH page cost at depth: ListRecords page 1 against page 1,000.

    python -m bench.oai --store bench/work/store-1m --page-size 20 --depth 1000

Runs ``kg serve`` (gunicorn, one worker) on a free port with the page size
given, walks ListRecords (oai_dc) through its resumption tokens to page
``depth``, then times page 1 and page ``depth`` alternately, ``--repeat``
times each, over HTTP. The ratio is page ``depth`` / page 1 (target <= 1.5).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support import free_port, kg_command, wait_for_http

TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")


def fetch(url: str) -> tuple[float, bytes]:
    """Seconds to get a URL's whole body, and the body."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
    return time.perf_counter() - started, body


def serve(store: Path, page_size: int) -> tuple[subprocess.Popen, str]:
    """``kg serve`` with one worker; its log goes nowhere (a full pipe would stall it)."""
    port = free_port()
    env = {**os.environ, "KG_STORE": str(store), "KG_PORT": str(port), "KG_WORKERS": "1",
           "KG_OAI_PAGE_SIZE": str(page_size)}
    process = subprocess.Popen(kg_command("serve"), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait_for_http(url + "/", process=process)
    return process, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("bench/work/store-1m"))
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--depth", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--verb", default="ListRecords")
    args = parser.parse_args()
    process, url = serve(args.store, args.page_size)
    try:
        base = f"{url}/oai?"
        first = base + urllib.parse.urlencode({"verb": args.verb, "metadataPrefix": "oai_dc"})
        url, walk_started = first, time.perf_counter()
        for _ in range(args.depth - 1):
            _, body = fetch(url)
            token = TOKEN.search(body)
            if token is None:
                raise SystemExit(f"the list ends before page {args.depth}")
            url = base + urllib.parse.urlencode({"verb": args.verb,
                                                 "resumptionToken": token.group(1).decode()})
        walked = time.perf_counter() - walk_started
        deep = url
        times: dict[str, list[float]] = {"page 1": [], f"page {args.depth}": []}
        for _ in range(args.repeat):
            times["page 1"].append(fetch(first)[0])
            times[f"page {args.depth}"].append(fetch(deep)[0])
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    print(f"{args.verb}, {args.page_size} records a page; walked {args.depth - 1} pages in "
          f"{walked:.1f} s; load: {Path('/proc/loadavg').read_text().strip()}")
    medians = {}
    for name, values in times.items():
        medians[name] = statistics.median(values)
        print(f"{name:>10}: median {medians[name] * 1000:7.1f} ms  (min "
              f"{min(values) * 1000:.1f}, max {max(values) * 1000:.1f}, {len(values)} runs)")
    print(f"ratio page {args.depth} / page 1: "
          f"{medians[f'page {args.depth}'] / medians['page 1']:.2f}")


if __name__ == "__main__":
    main()
