"""The token finder of schema/token_count.py agrees with graphql-core's lexer, and never refuses
a document graphql-core accepts."""

from __future__ import annotations

import pytest
from graphql import GraphQLSyntaxError, Lexer, Source, TokenKind, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from schema.token_count import token_past

NAMES = st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,6}", fullmatch=True)
NUMBERS = st.from_regex(
    r"-?(0|[1-9][0-9]{0,3})(\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?", fullmatch=True
)
PUNCTUATORS = st.sampled_from([*"!$&():=@[]{}|", "..."])
# String contents made of what trips a tokenizer: quotes, backslashes, braces, `#`, escapes.
PIECES = st.sampled_from(
    ['\\"', "\\\\", "\\n", "\\u00e9", "\\u{1F600}", "{", "}", "#", " ", "a", "é"]
)
STRINGS = st.lists(PIECES, max_size=6).map(lambda parts: '"' + "".join(parts) + '"')
# Quotes inside a block string never make `"""` by accident: each is followed by a letter.
BLOCK_PIECES = st.sampled_from(['\\"""', '"a', '""a', "\\", "\n", "{", "#", "a", "é"])
BLOCK_STRINGS = st.lists(BLOCK_PIECES, max_size=6).map(
    lambda parts: '"""' + "".join(parts) + 'a"""'
)
COMMENTS = st.text(alphabet='ab #"{}\\', max_size=8).map(lambda text: "#" + text + "\n")
TOKENS = st.one_of(NAMES, NUMBERS, PUNCTUATORS, STRINGS, BLOCK_STRINGS, COMMENTS)
SEPARATORS = st.sampled_from([" ", ",", "\n", "\t", "\r\n", "\ufeff", " , "])


def lexed_starts(document: str) -> list[int]:
    """Where each token graphql-core's lexer reads starts, comments included."""
    lexer = Lexer(Source(document))
    while lexer.advance().kind is not TokenKind.EOF:
        pass
    starts, token = [], lexer.token.prev
    while token is not None and token.kind is not TokenKind.SOF:
        starts.append(token.start)
        token = token.prev
    return starts[::-1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TOKENS, SEPARATORS), max_size=40), st.integers(0, 45))
def test_the_token_past_the_limit_is_the_one_graphql_core_lexes(
    tokens: list[tuple[str, str]], limit: int
) -> None:
    document = "".join(token + separator for token, separator in tokens)
    starts = lexed_starts(document)
    assert len(starts) == len(tokens)
    expected = starts[limit] if len(starts) > limit else None
    assert token_past(limit)(document) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}()a1 .#"\\\n:$!-e,', max_size=60), st.integers(0, 20))
def test_a_document_it_refuses_graphql_core_refuses_too(document: str, limit: int) -> None:
    position = token_past(limit)(document)
    if position is None:
        return
    with pytest.raises(GraphQLSyntaxError) as refused:
        parse(document, max_tokens=limit)
    assert refused.value.positions is not None
    assert min(refused.value.positions) <= position


def test_a_document_within_the_limit_is_left_to_graphql_core() -> None:
    document = '{ a(s: "} { # \\"", b: """ \\""" """) } # done\n'
    count = len(lexed_starts(document))
    assert token_past(count)(document) is None
    assert token_past(count - 1)(document) == document.index("# done")
