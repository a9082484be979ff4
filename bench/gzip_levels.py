"""CPU and size of the dumps' gzip: zlib against ISA-L, on the first lines of a text.

    python -m bench.gzip_levels --text /tmp/books.nt --lines 2000000

The text is N-Triples (a MARC build's kept text, or a release's N-Triples dump
unzipped); Turtle and JSON-LD are made from it by Oxigraph's serializers, as the
dumps are. Each format is compressed in 1 MiB writes, as a dump member is, and
checked to decompress to the same bytes. Figures: ``bench/README.md``, "The
sixth round".
"""

from __future__ import annotations

import argparse
import time
import zlib
from itertools import islice
from pathlib import Path

from isal import isal_zlib
from pyoxigraph import RdfFormat, parse, serialize

from kg.namespaces import PREFIXES

_GZIP = 16 + zlib.MAX_WBITS
_WRITE = 1 << 20
CODECS = (("zlib", zlib, 1), ("zlib", zlib, 3), ("ISA-L", isal_zlib, 1), ("ISA-L", isal_zlib, 2))


def compressed(module: object, level: int, data: bytes) -> tuple[float, int]:
    """CPU seconds and compressed size of one member of ``data``."""
    started = time.process_time()
    compressor = module.compressobj(level, zlib.DEFLATED, _GZIP)  # type: ignore[attr-defined]
    parts = [compressor.compress(data[i:i + _WRITE]) for i in range(0, len(data), _WRITE)]
    out = b"".join(parts) + compressor.flush()
    spent = time.process_time() - started
    assert zlib.decompress(out, _GZIP) == data
    return spent, len(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, required=True, help="an N-Triples file")
    parser.add_argument("--lines", type=int, default=2_000_000)
    args = parser.parse_args()
    with args.text.open("rb") as handle:
        data = b"".join(islice(handle, args.lines))
    quads = list(parse(data, format=RdfFormat.N_TRIPLES))
    texts = {"N-Triples": data,
             "Turtle": serialize(quads, format=RdfFormat.TURTLE, prefixes=dict(PREFIXES)),
             "JSON-LD": serialize(quads, format=RdfFormat.JSON_LD)}
    del quads
    print("| format | " + " | ".join(f"{name} {level}" for name, _, level in CODECS) + " |")
    print("| --- |" + " --- |" * len(CODECS))
    for name, text in texts.items():
        cells = []
        for _, module, level in CODECS:
            spent, size = compressed(module, level, text)
            cells.append(f"{spent:.2f} s, {size / 1e6:.1f} MB")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
