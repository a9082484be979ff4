"""MARC 21: catalogue records in (``kg.marc.fields``) and out (``kg.marc.export``).

Reading MARC files is a source kind (:mod:`kg.sources.marc`); the mapping
is documented field by field in ``docs/marc.md``.
"""
