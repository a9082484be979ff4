"""Text in MARC fields: ISBD punctuation, Unicode form, relators and heading keys.

>>> clean("Botanical materia medica and pharmacology;")
'Botanical materia medica and pharmacology'
>>> clean("Chicago,"), clean("406 p."), clean("P. H. Mallen Company,"), clean("1899.")
('Chicago', '406 p.', 'P. H. Mallen Company', '1899')
>>> relator_code("editor.")
'edt'
>>> heading_key(["Nguyễn, Khắc Mai.", "1950-"])
'nguyen-khac-mai-1950'
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from kg.iris import slugify

# ISBD punctuation that ends a subfield only to separate it from the next one.
_TRAILING = re.compile(r"[\s,;:/=+]+$")
# Words that keep their full stop (abbreviations common in catalogue records).
_ABBREVIATIONS = {"p", "pp", "v", "vol", "cm", "mm", "ill", "ed", "eds", "co", "inc", "ltd",
                  "jr", "sr", "st", "dr", "etc", "al", "no", "ca", "b", "d", "fl", "ft", "n.d",
                  "s.l", "s.n", "corp", "dept", "univ", "bros", "illus", "col", "approx"}
_MAX_KEY = 90

# MARC relator terms (as written in $e) to relator codes (id.loc.gov/vocabulary/relators).
RELATOR_TERMS: dict[str, str] = {
    "author": "aut", "editor": "edt", "compiler": "com", "translator": "trl",
    "illustrator": "ill", "photographer": "pht", "contributor": "ctb", "creator": "cre",
    "publisher": "pbl", "printer": "prt", "author of introduction": "aui",
    "writer of introduction": "win", "writer of preface": "wpr", "author of afterword": "aft",
    "editor of compilation": "edc", "composer": "cmp", "lyricist": "lyr", "artist": "art",
    "cartographer": "ctg", "designer": "dsr", "director": "drt", "narrator": "nrt",
    "performer": "prf", "producer": "pro", "sponsor": "spn", "issuing body": "isb",
    "host institution": "his", "degree granting institution": "dgg", "thesis advisor": "ths",
    "interviewer": "ivr", "interviewee": "ive", "speaker": "spk", "organizer": "orm",
    "praeses": "pra", "respondent": "rsp", "annotator": "ann", "commentator": "cmm",
    "owner": "own", "former owner": "fmo", "dedicatee": "dte", "honoree": "hnr",
    "copyright holder": "cph", "funder": "fnd", "researcher": "res", "scribe": "scr",
    "engraver": "egr", "lithographer": "ltg", "binder": "bnd", "bookseller": "bsl",
    "distributor": "dst", "manufacturer": "mfr", "collector": "col", "arranger": "arr",
    "adapter": "adp", "abridger": "abr", "author of screenplay": "aus", "calligrapher": "cll",
}
RELATOR_NAMES: dict[str, str] = {}
for _term, _code in RELATOR_TERMS.items():
    RELATOR_NAMES.setdefault(_code, _term)


def nfc(text: str) -> str:
    """Text in Unicode normalization form C (MARC records often hold decomposed letters)."""
    return unicodedata.normalize("NFC", text)


# Catalogue records repeat many values ('ill.', '24 cm.', publishers, places):
# about half of a batch's calls are answered from the cache.
@functools.lru_cache(maxsize=1 << 16)
def clean(text: str) -> str:
    """A subfield's value without the ISBD punctuation that separates it from the next."""
    text = _TRAILING.sub("", nfc(text).strip())
    if text.endswith(".") and not text.endswith(".."):
        last = re.split(r"[\s(\[]", text[:-1])[-1]
        if not (last.lower().rstrip(".") in _ABBREVIATIONS or len(last) <= 1
                or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", last)):
            text = text[:-1]
    return text.strip()


def relator_code(term_or_code: str) -> str | None:
    """The relator code of a $4 code or $e term; None if it is not one we know."""
    text = clean(term_or_code).lower()
    if re.fullmatch(r"[a-z]{3}", text):
        return text
    text = text.rstrip(".")
    return RELATOR_TERMS.get(text)


def heading_key(parts: list[str]) -> str:
    """The key of an agent named by a heading: its name and dates, normalized.

    The same person written with or without diacritics, in another case or
    with other punctuation gets the same key, in every source.
    """
    key = slugify(" ".join(clean(p) for p in parts if p))
    if len(key) > _MAX_KEY:
        digest = hashlib.sha1(key.encode("ascii")).hexdigest()[:8]
        key = key[:_MAX_KEY - 9].rstrip("-") + "-" + digest
    return key
