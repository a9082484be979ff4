"""How the sample in this folder was made from the source distribution of pymarc 5.4.0.

    pip download --no-binary :all: --no-deps pymarc==5.4.0 && tar xzf pymarc-5.4.0.tar.gz
    python tests/data/marc/make_sample.py pymarc-5.4.0

The records are the Library of Congress's (``BooksAll.2016.part01.utf8``,
from its MARC Distribution Service) and pymarc's test files; they are copied
byte for byte (ISO 2709) or written as MARCXML by pymarc, not changed.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pymarc

HERE = Path(__file__).parent
# Record numbers (from 0) in BooksAll.2016.part01.utf8, chosen for the fields
# they have: 856 links, 110/710 bodies, 651 places, 264 (RDA), 490/830 series,
# 506 access, 540 use terms, and Vietnamese text.
ISO2709 = [0, 1, 2, 3, 4, 5, 10, 65, 168, 393, 16762, 62656, 75831, 75840]
MARCXML = [6, 11, 23333, 25508, 75832, 75833, 75834]


def main(root: Path) -> None:
    """Write loc-books.mrc, loc-books.marcxml, loc-marc8.mrc and pymarc-batch.xml."""
    records = (root / "BooksAll.2016.part01.utf8").read_bytes().split(b"\x1d")
    with (HERE / "loc-books.mrc").open("wb") as out:
        for number in ISO2709:
            out.write(records[number] + b"\x1d")
    writer = pymarc.XMLWriter((HERE / "loc-books.marcxml").open("wb"))
    for number in MARCXML:
        writer.write(next(iter(pymarc.MARCReader(io.BytesIO(records[number] + b"\x1d")))))
    writer.close()
    shutil.copyfile(root / "test" / "marc8.dat", HERE / "loc-marc8.mrc")
    shutil.copyfile(root / "test" / "batch.xml", HERE / "pymarc-batch.xml")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
