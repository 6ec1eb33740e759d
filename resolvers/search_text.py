"""Folding text for search: case and accents ignored, names cut into words.

A word is a maximal run of letters and digits ("visseuse" is a word of "Perceuse-visseuse").
Folded words are stored in `product_word`; a search term is found as a range over them.
"""

from __future__ import annotations

import re
import unicodedata

WORD_LENGTH = 64  # the width of product_word.word: longer words are kept by their prefix

# Letters that NFKD does not split into a base letter and an accent.
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"}
_WORD = re.compile(r"[^\W_]+")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The Latin letters of French and its neighbours, folded once: a loader of 100,000 products
# then never decomposes character by character.
_LATIN = str.maketrans(
    {
        **{chr(c): _strip_accents(chr(c)) for c in range(0xC0, 0x250) if chr(c).islower()},
        **_LIGATURES,
    }
)


def fold(text: str) -> str:
    """Lower case without accents: "Béton ARMÉ" → "beton arme"."""
    lowered = text.casefold()
    if lowered.isascii():
        return lowered
    lowered = lowered.translate(_LATIN)
    return lowered if lowered.isascii() else _strip_accents(lowered)


def sort_key(text: str) -> str:
    """The folded text with runs of white space collapsed, for alphabetical order."""
    return " ".join(fold(text).split())


def words(text: str) -> list[str]:
    """The distinct folded words of `text`, in order of first appearance."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(text)):
        seen.setdefault(word[:WORD_LENGTH], None)
    return list(seen)


def search_terms(search: str) -> list[str] | None:
    """The word prefixes a name must all start words with; None when nothing can match.

    A search is cut into words exactly as names are: punctuation inside a term separates
    words ("perceuse-visseuse", "0/4"), so "100%" looks for the word "100" of "Ciment 100%
    naturel".  `%` and `_` are punctuation like any other, never wildcards: the words are
    compared as key ranges, not with LIKE.  A search with no word at all (only punctuation)
    matches nothing; an empty search is [] (no condition).
    """
    terms = words(search)
    if not terms and search.strip():
        return None
    return terms


def prefix_range(prefix: str) -> tuple[str, str]:
    """Bounds `lo <= word < hi` holding exactly the words that start with `prefix`.

    Exact under a binary (C) collation, which SQLite uses and the PostgreSQL databases are
    created with.
    """
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
