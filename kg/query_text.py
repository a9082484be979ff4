"""What a SPARQL request's text says before anything evaluates it.

A small lexer with the SPARQL 1.1 grammar's token rules (strings, IRIs,
comments, prefixed names, variables) finds the operation's form, whether it
is an update, and every ``SERVICE`` target, with prefixed names resolved
against the query's own ``PREFIX``/``BASE`` and the server's default prefixes.
The endpoint refuses ``SERVICE`` calls from this, before Oxigraph would open
a connection (https://www.w3.org/TR/sparql11-query/#grammar).

>>> shape = inspect_query('PREFIX x: <http://x.example/> SELECT * { SERVICE x:s { ?a ?b ?c } }')
>>> shape.form, shape.services
('select', ('http://x.example/s',))
>>> inspect_query('# SERVICE <http://a/>\\nASK { "SERVICE <http://b/>" }').services
()
>>> inspect_query('CLEAR ALL').form
'update'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

_ESCAPE = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL_CHAR = rf"(?:[\w:\-]|%[0-9A-Fa-f]{{2}}|{_LOCAL_ESC})"
_LOCAL_ANY = rf"(?:[\w.:\-]|%[0-9A-Fa-f]{{2}}|{_LOCAL_ESC})"
# Order matters where two rules could start at the same character: long
# strings before short ones, an IRI before the '<' operator (as the grammar's
# longest-match rule says).
_TOKEN = re.compile(rf"""
  (?P<space>\s+)
| (?P<comment>\#[^\n\r]*)
| (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_ESCAPE})*>)
| (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
            |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
| (?P<var>[?$]\w+)
| (?P<bnode>_:[\w.\-]*)
| (?P<pname>(?:[^\W\d_](?:[\w.\-]*[\w\-])?)?:(?:{_LOCAL_CHAR}(?:{_LOCAL_ANY}*{_LOCAL_CHAR})?)?)
| (?P<name>[^\W\d][\w]*)
| (?P<other>.)
""", re.VERBOSE | re.DOTALL)

_GLUED = re.compile(r"(SERVICE|SILENT)(.*)", re.IGNORECASE | re.DOTALL)
QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                "WITH"}


@dataclass(frozen=True)
class Token:
    """One lexical token: its rule's name and its text."""

    kind: str
    text: str


@dataclass(frozen=True)
class QueryShape:
    """A request's form ('select', 'ask', 'graph', 'update' or 'unknown') and its SERVICE targets.

    A target is an absolute IRI, or None when it cannot be known before
    evaluation (a variable, an unknown prefix, a relative IRI without BASE).
    """

    form: str
    services: tuple[str | None, ...]


def unescape(text: str) -> str:
    r"""Codepoint escapes (\uXXXX, \UXXXXXXXX) replaced, as in IRIs and strings.

    >>> unescape(r'http://a\u002Eexample/')
    'http://a.example/'
    """
    return re.sub(_ESCAPE, lambda m: chr(int(m.group()[2:], 16)), text)


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a SPARQL text (no spaces, no comments).

    Oxigraph reads a keyword glued to what follows (``SERVICE:x``,
    ``SERVICESILENT<...>``), so a word or prefixed name starting with SERVICE
    or SILENT is split into the keyword and the rest, which errs on the side
    of finding a SERVICE call.

    >>> [t.text for t in tokens('SERVICESILENT:x{')]
    ['SERVICE', 'SILENT', ':x', '{']
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        glued = _GLUED.match(match.group()) if kind in ("name", "pname") else None
        if glued and glued.group(2):
            yield Token("name", glued.group(1))
            yield from tokens(glued.group(2))
        else:
            yield Token(kind, match.group())


def inspect_query(text: str, prefixes: Mapping[str, str] | None = None) -> QueryShape:
    """The form and SERVICE targets of a query or update, from its text alone."""
    known = dict(prefixes or {})
    base = ""
    form = "unknown"
    services: list[str | None] = []
    stream = list(tokens(text))
    for index, token in enumerate(stream):
        word = token.text.upper() if token.kind == "name" else ""
        after = stream[index + 1] if index + 1 < len(stream) else None
        if word == "BASE" and after is not None and after.kind == "iri":
            base = urljoin(base, unescape(after.text[1:-1]))
        elif word == "PREFIX" and after is not None and after.kind == "pname" \
                and index + 2 < len(stream) and stream[index + 2].kind == "iri":
            iri = unescape(stream[index + 2].text[1:-1])
            known[after.text[:-1]] = urljoin(base, iri) if base else iri
        elif form == "unknown" and (word in QUERY_FORMS or word in UPDATE_WORDS):
            form = QUERY_FORMS.get(word, "update")
        elif word == "SERVICE":
            services.append(_target(stream[index + 1:index + 3], known, base))
    return QueryShape(form, tuple(services))


def _target(following: list[Token], prefixes: Mapping[str, str], base: str) -> str | None:
    """The IRI a SERVICE keyword names (skipping SILENT), or None if unknowable."""
    if following and following[0].kind == "name" and following[0].text.upper() == "SILENT":
        following = following[1:]
    if not following:
        return None
    token = following[0]
    if token.kind == "iri":
        iri = unescape(token.text[1:-1])
        if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
            return iri
        return urljoin(base, iri) if base else None
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix not in prefixes:
            return None
        return prefixes[prefix] + re.sub(_LOCAL_ESC, lambda m: m.group()[1], local)
    return None
