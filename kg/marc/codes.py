"""Coded values of MARC 21 (leader, 008, note tags) and their BIBFRAME counterparts.

Each table is read both ways: MARC in (``kg.marc.fields``) and MARC out
(``kg.marc.export``).

>>> resource_type("a", "m", electronic=False), resource_type("a", "s", electronic=False)
('book', 'journal')
>>> LEADER_06["cartography"]
'e'
"""

from __future__ import annotations

# Leader/06 (type of record) -> the Work's class (bf:Text ...), as a word; the
# manuscript kinds also make the Instance a bf:Manuscript.
WORK_TYPES: dict[str, str] = {
    "a": "text", "t": "manuscript-text", "c": "notated-music",
    "d": "manuscript-notated-music", "e": "cartography", "f": "manuscript-cartography",
    "g": "moving-image", "i": "audio", "j": "music-audio", "k": "still-image",
    "m": "multimedia", "o": "kit", "p": "mixed-material", "r": "object",
}
LEADER_06: dict[str, str] = {}
for _code, _word in WORK_TYPES.items():
    LEADER_06.setdefault(_word, _code)

# Leader/07 (bibliographic level) -> issuance (id.loc.gov/vocabulary/issuance).
ISSUANCE: dict[str, str] = {"a": "mono", "b": "serl", "c": "mulm", "d": "mono", "i": "intg",
                            "m": "mono", "s": "serl"}
LEADER_07: dict[str, str] = {"mono": "m", "serl": "s", "mulm": "c", "intg": "i"}

# Leader/18 (descriptive cataloguing form) -> description conventions
# (id.loc.gov/vocabulary/descriptionConventions); 040 $e adds more (rda).
CONVENTIONS: dict[str, str] = {"a": "aacr", "i": "isbd", "c": "isbd", "n": "nonisbd"}
LEADER_18: dict[str, str] = {"aacr": "a", "isbd": "i", "rda": "i", "nonisbd": " "}

# 008/23 (form of item) values that mean an electronic resource.
ELECTRONIC_FORMS = {"o", "q", "s"}

# Notes (5XX) by tag -> a note type (bf:noteType); 506 and 540 are access
# and use terms and have their own fields.
NOTE_TYPES: dict[str, str] = {
    "500": "general", "501": "with", "502": "dissertation", "504": "bibliography",
    "505": "contents", "508": "credits", "511": "participants", "515": "numbering",
    "518": "event", "520": "summary", "521": "audience", "530": "other formats",
    "533": "reproduction", "534": "original version", "538": "system details",
    "545": "biography", "546": "language", "550": "issuing body", "561": "provenance",
    "580": "linking entry", "586": "awards", "588": "source of description",
}
NOTE_TAGS: dict[str, str] = {word: tag for tag, word in NOTE_TYPES.items()}


def resource_type(leader_06: str, leader_07: str, electronic: bool) -> str:
    """The resource's ``type`` field (book, journal ...) from leader/06-07 and 008/23."""
    if leader_06 in ("a", "t"):
        if leader_07 in ("s", "i"):
            return "journal"
        if leader_07 in ("a", "b"):
            return "article"
        return "ebook" if electronic else "book"
    if leader_06 == "m":
        return "eresource"
    return "other"


def leader_for(resource_type_word: str, work_type: str, issuance: str) -> tuple[str, str]:
    """Leader/06 and /07 for a resource that may not have come from MARC."""
    code_06 = LEADER_06.get(work_type, "")
    if not code_06:
        code_06 = {"eresource": "m", "database": "m"}.get(resource_type_word, "a")
    code_07 = LEADER_07.get(issuance, "")
    if not code_07:
        code_07 = {"journal": "s", "article": "a", "database": "i",
                   "webpage": "i"}.get(resource_type_word, "m")
    return code_06, code_07
