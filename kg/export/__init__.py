"""Exports of a release for catalogues, aggregators and spreadsheets.

- :mod:`kg.export.dumps`: whole-release dumps (N-Triples, N-Quads, Turtle,
  JSON-LD, gzip), made at publish time beside the release;
- :mod:`kg.export.dublin_core`: the Dublin Core (oai_dc) mapping, kind by kind;
- :mod:`kg.export.tables`: CSV per kind, safe to open in a spreadsheet;
- :mod:`kg.export.formats`: the formats of ``kg export``, in one registry;
- :mod:`kg.export.void`: the VoID and DCAT description of the dataset.

The OAI-PMH provider's library side is :mod:`kg.oai`.
"""
