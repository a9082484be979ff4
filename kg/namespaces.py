"""The vocabularies the graph uses, as pyoxigraph terms.

>>> SCHEMA.Person
<NamedNode value=http://schema.org/Person>
>>> SCHEMA["name"].value
'http://schema.org/name'
"""

from __future__ import annotations

from pyoxigraph import NamedNode


class Namespace:
    """An IRI prefix that mints (and caches) :class:`NamedNode` terms."""

    def __init__(self, iri: str) -> None:
        self.iri = iri
        self._terms: dict[str, NamedNode] = {}

    def __getitem__(self, local: str) -> NamedNode:
        term = self._terms.get(local)
        if term is None:
            term = self._terms[local] = NamedNode(self.iri + local)
        return term

    def __getattr__(self, local: str) -> NamedNode:
        if local.startswith("__"):
            raise AttributeError(local)
        term = self[local]
        # Kept as an attribute, so the next FOAF.name is a plain attribute read:
        # converters read terms millions of times in a large build.
        self.__dict__[local] = term
        return term

    def __contains__(self, term: object) -> bool:
        return isinstance(term, NamedNode) and term.value.startswith(self.iri)

    def __repr__(self) -> str:
        return f"Namespace({self.iri!r})"


RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("http://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
BF = Namespace("http://id.loc.gov/ontologies/bibframe/")
BFLC = Namespace("http://id.loc.gov/ontologies/bflc/")
RELATORS = Namespace("http://id.loc.gov/vocabulary/relators/")
LANGUAGES = Namespace("http://id.loc.gov/vocabulary/iso639-2/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
TIME = Namespace("http://www.w3.org/2006/time#")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
# The project's own terms: only what the vocabularies above lack (ontology/kg.ttl).
KG = Namespace("https://w3id.org/library-kg/ontology#")

PREFIXES: dict[str, str] = {
    "rdf": RDF.iri,
    "rdfs": RDFS.iri,
    "owl": OWL.iri,
    "xsd": XSD.iri,
    "skos": SKOS.iri,
    "org": ORG.iri,
    "schema": SCHEMA.iri,
    "foaf": FOAF.iri,
    "prov": PROV.iri,
    "dcterms": DCTERMS.iri,
    "bf": BF.iri,
    "bflc": BFLC.iri,
    "relators": RELATORS.iri,
    "dcat": DCAT.iri,
    "odrl": ODRL.iri,
    "time": TIME.iri,
    "void": VOID.iri,
    "sh": SH.iri,
    "wd": WD.iri,
    "kg": KG.iri,
}
