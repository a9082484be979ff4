"""The shapes and the ontology: valid SHACL, one file per kind, labels in vi and en."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef

from kg.bundled import bundled_path, turtle_files
from kg.kinds import KINDS
from kg.ontology import term_labels
from kg.validate.shapes import reference_rules, shapes_graph

SH = Namespace("http://www.w3.org/ns/shacl#")


def test_shapes_are_valid_shacl() -> None:
    """Meta-validation: the shapes conform to the SHACL-for-SHACL shapes."""
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes_graph(), meta_shacl=True)
    assert conforms, text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_one_shapes_file_per_kind_targets_its_class(kind: str) -> None:
    path = bundled_path("shapes") / f"{kind}.ttl"
    graph = Graph().parse(path)
    targets = set(graph.objects(None, SH.targetClass))
    assert URIRef(KINDS[kind].rdf_type.value) in targets


def test_every_property_shape_names_its_source_field() -> None:
    graph = shapes_graph()
    kg_field = URIRef("https://w3id.org/library-kg/ontology#sourceField")
    unnamed = [str(graph.value(p, SH.path)) for s in graph.subjects(RDF.type, SH.NodeShape)
               for p in graph.objects(s, SH.property)
               if graph.value(p, kg_field) is None
               and graph.value(p, SH.path) not in (URIRef(
                   "http://schema.org/subEvent"), URIRef(
                   "http://id.loc.gov/ontologies/bibframe/instanceOf"))]
    assert not unnamed


def test_every_shown_property_and_class_has_vietnamese_and_english_labels() -> None:
    graph = shapes_graph()
    terms = {str(o) for o in graph.objects(None, SH.path) if isinstance(o, URIRef)}
    terms |= {str(o) for o in graph.objects(None, SH.targetClass)}
    terms |= {str(o) for o in graph.objects(None, SH["class"])}
    labels = term_labels()
    missing = sorted(t for t in terms if not {"vi", "en"} <= set(labels.get(t, {})))
    assert not missing, f"terms without vi and en labels: {missing}"


def test_project_terms_are_all_labelled() -> None:
    ontology = Graph()
    for path in turtle_files("ontology"):
        ontology.parse(path)
    kg = "https://w3id.org/library-kg/ontology#"
    ours = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(kg)}
    assert len(ours) > 15
    for term in ours:
        languages = {label.language for label in ontology.objects(term, RDFS.label)}
        assert {"vi", "en"} <= languages, term


def test_reference_rules_cover_positions() -> None:
    rules = {(r.target_class.rsplit("#", 1)[-1], r.predicate.rsplit("#", 1)[-1])
             for r in reference_rules()}
    assert ("Membership", "member") in rules
    assert ("Membership", "organization") in rules
