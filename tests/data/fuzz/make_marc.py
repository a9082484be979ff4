"""How the MARC files of sources/ were made from the sample in tests/data/marc.

    .venv/bin/python tests/data/fuzz/make_marc.py

Each file holds two of the Library of Congress's records (its own two), one
of them broken in one way; what the build must say about each is in
sources/EXPECTED.tsv.
"""

from __future__ import annotations

from pathlib import Path

from tests.marc_support import ISO2709, broken_directory, invalid_utf8, raw_records, without_title

OUT = Path(__file__).parent / "sources"
MARCXML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
COLLECTION = '<collection xmlns="http://www.loc.gov/MARC21/slim">'
RECORD = ('<record><leader>{leader}</leader><controlfield tag="001">{control}</controlfield>'
          '<datafield ind1="1" ind2="0" tag="245"><subfield code="a">{title}</subfield>'
          '</datafield></record>\n')


def iso2709() -> dict[str, bytes]:
    """Two records each, the second broken (the first, when the break is in its text).

    Each file takes its own records, so that files built together do not also
    give the same resource twice.
    """
    records = iter(raw_records(ISO2709))
    pairs = {name: (next(records), next(records)) for name in (
        "broken-directory", "bad-leader-length", "truncated", "invalid-utf8", "no-title",
        "no-control-number")}

    def no_001(chunk: bytes) -> bytes:
        return chunk[:24] + chunk[24:].replace(b"001", b"009", 1)  # its directory entry

    made = {
        "broken-directory": lambda good, other: good + broken_directory(other),
        # letters in the first record's length: the second is still found
        "bad-leader-length": lambda good, other: b"0O9x1" + good[5:] + other,
        "truncated": lambda good, other: good + other[: len(other) // 2],
        "invalid-utf8": lambda good, other: invalid_utf8(good) + other,
        "no-title": lambda good, other: good + without_title(other),
        "no-control-number": lambda good, other: good + no_001(other),
    }
    return {f"marc-{name}.mrc": make(*pairs[name]) for name, make in made.items()}


def marcxml() -> dict[str, str]:
    """MARCXML: not well-formed, an external entity, a billion laughs, a short leader."""
    leader = "00000cam a2200000 a 4500"
    record = RECORD.format(leader=leader, control="x1", title="A title")
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    return {
        "marc-not-well-formed.marcxml": MARCXML_HEAD + COLLECTION + record
        + record.replace("</datafield>", "</datafeld>"),
        "marc-external-entity.marcxml": MARCXML_HEAD
        + '<!DOCTYPE collection [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        + COLLECTION + RECORD.format(leader=leader, control="x2", title="&secret;")
        + "</collection>\n",
        "marc-billion-laughs.marcxml": MARCXML_HEAD
        + f'<!DOCTYPE collection [<!ENTITY l0 "laugh">{laughs}]>\n'
        + COLLECTION + RECORD.format(leader=leader, control="x3", title="&l9;")
        + "</collection>\n",
        "marc-short-leader.marcxml": MARCXML_HEAD + COLLECTION + record.replace("x1", "x5")
        + RECORD.format(leader="00000cam", control="x4", title="Short") + "</collection>\n",
    }


def main() -> None:
    """Write the files into sources/."""
    for name, data in iso2709().items():
        (OUT / name).write_bytes(data)
    for name, text in marcxml().items():
        (OUT / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
