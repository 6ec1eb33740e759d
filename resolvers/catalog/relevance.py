"""The RELEVANCE order: best name match first, then the seller's standing, then id.

The match is 0 when the name holds the searched word itself ("perceuse" in "Perceuse 18 V")
and 1 when it only holds longer words starting with it ("Perceuses"); with several terms,
the longest decides, as it drives the search.  The standing is the seller's rating as a sort
key (`Seller.standing`, 0 best), copied onto its products and their words so the order is
read from an index: `word_relevance` (word, standing, product_id, ...) with a search,
`product_by_standing` (standing, id) without.

A search reads the exact word's rows in standing order, then the other words of the term's
range, each in standing order and only until the page is full (the same walk as
`listing._search_sql`), leaving out products that also hold the exact word (already ranked
0).  A page continues after (match, standing, id): the exact rows first, then the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from resolvers.errors import ErrorCode, QueryError
from resolvers.pagination import MAX_ID, cursor_int
from resolvers.search_text import prefix_range

TAG = "RELEVANCE"
# The first distinct longer words read one by one in order (see listing.WORD_BRANCHES).
BRANCHES = 4
_ORDER = " ORDER BY w.standing, w.product_id"

Key = tuple[int, int, int]


def cursor_key(after: list[Any] | None) -> Key | None:
    """The (match, standing, id) a page continues after; INVALID_INPUT when tampered with."""
    if after is None:
        return None
    if (
        len(after) != 4
        or after[0] != TAG
        or not all(type(v) is int for v in after[1:])
        or after[1] not in (0, 1)
    ):
        raise QueryError(ErrorCode.INVALID_INPUT, "Curseur invalide")
    _, match, standing, pk = after
    cursor_int(standing, upper=MAX_ID)
    cursor_int(pk, upper=MAX_ID)
    return match, standing, pk


def _where(conditions: Sequence[str]) -> str:
    return "".join(f" AND {c}" for c in conditions)


def browse_sql(
    columns: str, conditions: Sequence[str], params: Sequence[Any], key: Key | None, limit: int
) -> tuple[str, list[Any]]:
    """No search: every product matches equally (0); walk `product_by_standing`."""
    where, values = list(conditions), list(params)
    if key is not None:
        where.append("(p.standing, p.id) > (?, ?)")
        values += [key[1], key[2]]
    clause = " WHERE " + " AND ".join(where) if where else ""
    return (
        f"SELECT {columns}, 0 AS match FROM product p{clause} ORDER BY p.standing, p.id LIMIT ?",
        [*values, limit],
    )


def search_sql(
    columns: str,
    driving: str,
    conditions: Sequence[str],
    params: Sequence[Any],
    key: Key | None,
    limit: int,
) -> tuple[str, list[Any]]:
    """`conditions` apply to each `product_word w` row (other terms, filters, stock)."""
    where = _where(conditions)
    after_match = key[0] if key is not None else 0
    branches: list[str] = []
    values: list[Any] = []

    def after(match: int) -> tuple[str, list[Any]]:
        if key is None or key[0] < match:
            return "", []
        return " AND (w.standing, w.product_id) > (?, ?)", [key[1], key[2]]

    if after_match == 0:
        cond, extra = after(0)
        branches.append(
            f"SELECT * FROM (SELECT w.product_id, w.standing, 0 AS match"
            f" FROM product_word w WHERE w.word = ?{where}{cond}{_ORDER}"
            " LIMIT ?) e"
        )
        values += [driving, *params, *extra, limit]
    _, high = prefix_range(driving)
    # Products holding the exact word are ranked 0 above, never again as 1.
    longer = (
        "NOT EXISTS (SELECT 1 FROM product_word x WHERE x.product_id = w.product_id AND x.word = ?)"
    )
    cond, extra = after(1)
    for n in range(1, BRANCHES + 1):
        branches.append(
            f"SELECT * FROM (SELECT w.product_id, w.standing, 1 AS match"
            f" FROM product_word w WHERE w.word = (SELECT word FROM v WHERE"
            f" n = {n}) AND {longer}{where}{cond}{_ORDER} LIMIT ?) b{n}"
        )
        values += [driving, *params, *extra, limit]
    branches.append(
        f"SELECT * FROM (SELECT DISTINCT w.product_id, w.standing, 1 AS match"
        f" FROM product_word w WHERE w.word > (SELECT word FROM v WHERE"
        f" n = {BRANCHES}) AND w.word < ? AND {longer}{where}{cond}{_ORDER}"
        " LIMIT ?) r"
    )
    values += [high, driving, *params, *extra, limit]
    # The longer words of the range, one index seek each (as in listing._search_sql).
    words = (
        "v(n, word) AS (SELECT 1, (SELECT word FROM product_word WHERE word > ?"
        " AND word < ? ORDER BY word LIMIT 1) UNION ALL SELECT n + 1, (SELECT word"
        " FROM product_word WHERE word > v.word AND word < ? ORDER BY word LIMIT 1)"
        f" FROM v WHERE v.word IS NOT NULL AND n < {BRANCHES})"
    )
    # UNION drops a product found under two longer words (same standing, same match).
    sql = (
        f"WITH RECURSIVE {words} SELECT {columns}, m.match FROM (SELECT * FROM"
        f" ({' UNION '.join(branches)}) u ORDER BY match, standing, product_id LIMIT ?) m"
        " JOIN product p ON p.id = m.product_id"
        " ORDER BY m.match, m.standing, m.product_id LIMIT ?"
    )
    return sql, [driving, high, high, *values, limit, limit]
