"""SHACL results in plain words: which field is wrong, and how to put it right."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib.term import Node

from kg.iris import Minter
from kg.kinds import KINDS
from kg.report import Problem
from kg.sources import Origin
from kg.validate.shapes import ShapeFacts, facts

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

DATATYPE_WORDS = {
    XSD + "date": "a date like 1980-05-31",
    XSD + "dateTime": "a date and time like 2024-12-03T09:00",
    XSD + "gYearMonth": "a month like 2024-05",
    XSD + "gYear": "a year like 2024",
    XSD + "gMonthDay": "a day of an unknown year like --12-03",
    XSD + "integer": "a whole number",
    XSD + "string": "plain text",
    RDF + "langString": "text with a language",
}
CLASS_WORDS = {kind.rdf_type.value: kind.name for kind in KINDS.values()}
CLASS_WORDS |= {
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": "vocabulary",
    "http://www.w3.org/2006/time#Interval": "period",
    "http://id.loc.gov/ontologies/bibframe/Work": "work",
    "http://id.loc.gov/ontologies/bibframe/Topic": "subject heading",
}


@dataclass(frozen=True)
class Violation:
    """One failed constraint, whichever engine found it."""

    focus: str
    component: str
    shape: Node | None
    path: str | None = None
    value: str | None = None
    value_is_iri: bool = False
    engine_message: str | None = None
    severity: str = "error"


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _kinds(classes: tuple[str, ...]) -> str:
    words = [_article(CLASS_WORDS.get(c, c.rsplit("/", 1)[-1].rsplit("#", 1)[-1]))
             for c in classes]
    return " or ".join(dict.fromkeys(words))


def _datatypes(datatypes: tuple[str, ...]) -> str:
    words = [DATATYPE_WORDS.get(d, d.rsplit("#", 1)[-1]) for d in datatypes]
    return ", or ".join(dict.fromkeys(words))


def _reference_text(value: str, minter: Minter) -> str:
    ref = minter.parse(value)
    return f"{ref.kind}/{ref.key}" if ref else value


def _language_hint(field: str) -> str:
    base = field.split("_")[0]
    return f"write it in a column with a language, like {base}_vi or {base}_en"


def message_for(violation: Violation, minter: Minter) -> tuple[str | None, str]:
    """The field name and the plain-words message for a violation."""
    if violation.shape is None:
        return "key", f"{violation.engine_message} ({violation.value})"
    info: ShapeFacts = facts(violation.shape)
    field = info.field or (violation.path.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
                           if violation.path else "record")
    name = f"'{field}'"
    got = f", got '{violation.value}'" if violation.value is not None else ""
    component = violation.component
    builders: dict[str, Callable[[], str]] = {
        "MinCountConstraintComponent": lambda: (
            f"{name} is required" if (info.min_count or 1) == 1
            else f"{name} needs at least {info.min_count} values"),
        "MaxCountConstraintComponent": lambda: (
            f"{name} takes at most {info.max_count} value"
            + ("s" if (info.max_count or 0) > 1 else "")),
        "UniqueLangConstraintComponent": lambda: f"{name} has two values in the same language",
        "ClassConstraintComponent": lambda: _reference_message(name, violation, info, minter),
    }
    if component in builders:
        return field, builders[component]()
    if info.message:
        return field, info.message + got
    if info.classes and component in ("OrConstraintComponent", "NodeKindConstraintComponent"):
        return field, _reference_message(name, violation, info, minter)
    if info.datatypes and component in ("DatatypeConstraintComponent", "OrConstraintComponent"):
        if info.datatypes == (RDF + "langString",):
            return field, f"{name} needs a language: {_language_hint(field)}{got}"
        return field, f"{name} must be {_datatypes(info.datatypes)}{got}"
    if component == "NodeKindConstraintComponent":
        return field, f"{name} must be a web address like https://example.org/{got}"
    if component == "PatternConstraintComponent":
        return field, f"{name} does not have the expected form ({info.pattern}){got}"
    if component == "NodeConstraintComponent":
        return field, f"{name} has an entry whose agent or role is not defined{got}"
    # Not the validator's own wording, so that both validators give the same line.
    return field, f"{name} is not valid ({component.removesuffix('ConstraintComponent')}){got}"


def _reference_message(name: str, violation: Violation, info: ShapeFacts,
                       minter: Minter) -> str:
    if violation.value is None:
        return f"{name} must refer to {_kinds(info.classes)}"
    if not violation.value_is_iri:
        return (f"{name} must be the key of {_kinds(info.classes)}, "
                f"like nguyen-van-a, got '{violation.value}'")
    ref = _reference_text(violation.value, minter)
    return f"{name} refers to '{ref}', which is not {_kinds(info.classes)} in any source"


def to_problem(violation: Violation, minter: Minter,
               origin_of: Callable[[str], Origin | None]) -> Problem:
    """A violation as a problem naming file, record, key and field."""
    entity = violation.focus.partition("#")[0]
    ref = minter.parse(entity)
    field, message = message_for(violation, minter)
    return Problem(message, origin_of(entity), key=ref.key if ref else entity,
                   field=field, severity=violation.severity)
