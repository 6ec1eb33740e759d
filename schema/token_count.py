"""Finding a document's token past the limit before graphql-core parses it.

graphql-core stops at the token past `max_tokens`, but reaches it by building the syntax tree
of every token before it: a 6 KB document of 3,000 one-letter fields cost 0.59 × an accepted
near-maximal document (290 fields) to refuse. One regular expression, run by the `re` engine
in C, finds the same token without building anything.

It follows GraphQL's lexical grammar and counts as graphql-core 3.3 counts (comments are
tokens; whitespace, commas and the BOM are not). On anything it does not recognise (a stray
character, an unterminated string, `1a`) it stops and leaves the document to graphql-core. So
it never refuses a document graphql-core accepts: it finds a token past the limit only where
graphql-core's count also passes it, and graphql-core refuses there, or earlier on a syntax
error. Every quantifier is possessive or atomic: the engine never backtracks, and its time
follows the document's length.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_IGNORED = r"[ \t\n\r,\ufeff]*+"
_TOKEN = (
    r"(?>"
    r'"""(?:[^"\\]|\\(?!""")|\\"""|"(?!""))*+"""'  # block string (before the plain string)
    r'|"(?:[^"\\\n\r]|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{4}|\\u\{[0-9A-Fa-f]++\})*+"'  # string
    r"|\#[^\n\r]*+"  # comment
    r"|\.\.\."  # spread
    r"|[!$&():=@\[\]{}|]"  # punctuators
    r"|[_A-Za-z][_0-9A-Za-z]*+"  # name
    r"|-?[0-9]++(?:\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+(?![._A-Za-z])"  # number
    r")"
)


def token_past(limit: int) -> Callable[[str], int | None]:
    """A function giving where a document's token number `limit + 1` starts, or None when the
    document has at most `limit` tokens (or graphql-core should be the one to judge it)."""
    past = re.compile(rf"(?:{_IGNORED}{_TOKEN}){{{limit}}}{_IGNORED}(?={_TOKEN})")

    def find(document: str) -> int | None:
        if len(document) <= limit:  # every token is at least one character
            return None
        found = past.match(document)
        return None if found is None else found.end()

    return find
