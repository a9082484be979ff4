"""The OAI-PMH 2.0 provider, library side (``web/oai.py`` only answers HTTP).

- :mod:`kg.oai.records`: which entities are OAI items, their sets, and a
  digest of each record's content;
- :mod:`kg.oai.index`: the per-release SQLite index of records (datestamps
  carried forward from the parent release while a record's digest is the
  same; deleted records kept), written at publish time;
- :mod:`kg.oai.metadata`: the metadata formats (oai_dc; marc21 plugs in);
- :mod:`kg.oai.tokens`: resumption tokens (a cursor by identifier);
- :mod:`kg.oai.protocol`: the six verbs, their arguments and errors;
- :mod:`kg.oai.response`: the XML of responses.
"""
