"""Validation: the changed sources against the shapes, and references across all.

:func:`validate_graphs` returns problems as a value; the CLI turns them into
exit codes (0 conforms, 1 does not, 2 error). Two checks, so that the cost
follows what changed rather than the size of the whole graph:

1. the graphs of changed sources are checked against the shapes by one of two
   validators that give the same violations: pySHACL (the reference) over an
   rdflib copy of them, together with the ``rdf:type`` of every IRI they point
   to, wherever that is defined, so references across sources resolve; or the
   shapes compiled to SPARQL and run inside the staging store
   (:mod:`kg.validate.sparql`), which scales to millions of triples.
   ``auto`` takes pySHACL for small changes and SPARQL above
   :data:`AUTO_THRESHOLD` triples;
2. references from unchanged graphs are re-checked with one query per
   reference rule of the shapes, so that removing or changing a source cannot
   leave a dangling reference behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pyoxigraph import NamedNode

from kg.errors import UsageError
from kg.iris import Minter
from kg.namespaces import RDF
from kg.report import Problem
from kg.sources import Origin
from kg.store.staging import StagingView
from kg.validate.messages import Violation, to_problem
from kg.validate.shacl import rdflib_graph, shacl_violations
from kg.validate.shapes import reference_rules
from kg.validate.sparql import program

OriginLookup = Callable[[str], Origin | None]
VALIDATORS = ("auto", "shacl", "sparql")
# Triples in the changed graphs above which ``auto`` takes the SPARQL validator.
# Measured (bench/README.md): on a 1M-triple store pySHACL takes 0.3 s for a
# 60-triple change, over a second from about 600, while the SPARQL validator
# takes 0.2-0.5 s; below this pySHACL, the reference, costs next to nothing.
AUTO_THRESHOLD = 1_000
# Changed and removed graphs up to this many triples have the references to
# what they typed checked one by one; above it, every reference is checked.
TARGETED_LIMIT = 50_000


def validate_graphs(view: StagingView, changed: Iterable[NamedNode], unchanged: Iterable[NamedNode],
                    minter: Minter, origin_of: OriginLookup, validator: str = "auto",
                    typed_before: set[str] | None = None) -> list[Problem]:
    """Problems of the changed graphs, and dangling references from the unchanged ones.

    ``typed_before``: the IRIs the changed and removed graphs gave a type before
    the change (see :func:`typed_before_change`); with it, only references to
    or from IRIs whose types may have changed are checked again.
    """
    changed, unchanged = list(changed), list(unchanged)
    violations = shape_violations(view, changed, choose_validator(validator, view, changed))
    if typed_before is not None:
        affected = typed_before | view.typed_subjects(changed)
        violations += _affected_reference_violations(view, unchanged, affected)
    else:
        violations += _reference_violations(view, unchanged)
    violations += _duplicate_definitions(view, changed)
    seen: set[tuple] = set()
    problems = []
    for violation in violations:
        key = (violation.focus, violation.component, violation.path, violation.value,
               str(violation.shape))
        if key not in seen:
            seen.add(key)
            problems.append(to_problem(violation, minter, origin_of))
    return problems


def shape_violations(view: StagingView, changed: list[NamedNode],
                     validator: str) -> list[Violation]:
    """What the shapes find wrong in the changed graphs, by one validator (shacl or sparql)."""
    if validator == "sparql":
        return program().violations(view, changed)
    return _changed_violations(view, changed)


def checked_validator(validator: str) -> str:
    """The validator's name, if it is one of :data:`VALIDATORS`."""
    if validator not in VALIDATORS:
        raise UsageError(f"the validator must be one of {', '.join(VALIDATORS)}, "
                         f"got {validator!r}")
    return validator


def choose_validator(validator: str, view: StagingView, changed: list[NamedNode]) -> str:
    """The validator to run: as asked, or for ``auto`` by the size of the change."""
    checked_validator(validator)
    if validator != "shacl":
        program()  # a shape the SPARQL validator cannot run fails here, whatever the size
    if validator == "auto":
        large = view.count_at_least(changed, AUTO_THRESHOLD + 1)
        return "sparql" if large else "shacl"
    return validator


def _changed_violations(view: StagingView, changed: list[NamedNode]) -> list[Violation]:
    """pySHACL over the changed graphs, with the types of what they refer to."""
    if not changed:
        return []
    triples = [t for graph in changed for t in view.triples(graph)]
    # Focus nodes are those the changed graphs declare; an IRI they only refer
    # to gets its types (from every graph) so that sh:class can resolve it.
    declared = {s.value for s, p, _ in triples if p == RDF.type}
    referenced = {o for _, p, o in triples if isinstance(o, NamedNode) and p != RDF.type}
    type_triples = [(iri, RDF.type, t) for iri in referenced for t in view.types_of(iri)]
    data = rdflib_graph(triples + type_triples + view.subclass_triples())
    return shacl_violations(data, focus=declared)


def _reference_violations(view: StagingView, unchanged: list[NamedNode]) -> list[Violation]:
    """References from unchanged graphs whose target is gone or of the wrong kind."""
    if not unchanged:
        return []
    violations = []
    for rule in reference_rules():
        for subject, value in view.unresolved_references(rule.target_class, rule.predicate,
                                                         rule.classes, unchanged):
            violations.append(Violation(subject, "ClassConstraintComponent", rule.shape,
                                        path=rule.predicate, value=value, value_is_iri=True))
    return violations


def typed_before_change(view: StagingView, graphs: list[NamedNode]) -> set[str] | None:
    """The IRIs that the graphs about to change or go type, if they are small enough
    for references to them to be checked one by one (None: check all references)."""
    if view.count_at_least(graphs, TARGETED_LIMIT + 1):
        return None
    return view.typed_subjects(graphs)


def _affected_reference_violations(view: StagingView, unchanged: list[NamedNode],
                                   affected: set[str]) -> list[Violation]:
    """References from unchanged graphs to or from IRIs whose types may have changed.

    Any other reference resolved in the release before, and still does: only
    a type statement in a changed or removed graph can change its verdict.
    """
    rules: dict[str, list] = {}
    for rule in reference_rules():
        rules.setdefault(rule.predicate, []).append(rule)
    subclasses = view.subclasses()
    closure = lambda cls: set(subclasses.get(cls, (cls,)))  # noqa: E731
    types: dict[str, set[str]] = {}

    def types_of(iri: str) -> set[str]:
        # Cached: a popular target (a topic, a university) is referred to thousands of times.
        if iri not in types:
            types[iri] = {t.value for t in view.types_of(NamedNode(iri))}
        return types[iri]

    violations = []
    for subject, predicate, value in view.references_to_or_from(affected, unchanged, set(rules)):
        for rule in rules[predicate]:
            wanted = set().union(*(closure(c) for c in rule.classes))
            if types_of(value) & wanted or not types_of(subject) & closure(rule.target_class):
                continue
            violations.append(Violation(subject, "ClassConstraintComponent", rule.shape,
                                        path=predicate, value=value, value_is_iri=True))
    return violations


def _duplicate_definitions(view: StagingView, changed: list[NamedNode]) -> list[Violation]:
    """Entities defined (typed with their kind's class) in a changed and another graph."""
    violations = []
    for iri, graphs in view.defined_in_several_graphs(changed):
        violations.append(Violation(
            iri, "DuplicateDefinition", None, value=", ".join(sorted(graphs)),
            engine_message="is defined in more than one source"))
    return violations
