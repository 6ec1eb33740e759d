"""Browsing: one product, comparison, and the searched, filtered, sorted, keyset-paged list.

The list is one SQL statement built for both databases.  Without a search it walks the
`product` index of the sort order (with category or seller in front when filtered); with a
search, candidates come from a range of the word index, which carries the sort keys, so
they are sorted and filtered without reading product rows.  Zones, attributes, stock and
further terms are probed per candidate through unique indexes.  Pages continue after the
last row's sort key (a row-value comparison), never with OFFSET.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tortoise import connections

from resolvers.actor import Actor
from resolvers.catalog import relevance
from resolvers.catalog.conditions import (
    IN_STOCK,
    Conditions,
    ProductFilter,
    browse_filters,
    word_filters,
)
from resolvers.catalog.products import for_dialect
from resolvers.catalog.visibility import Visibility, visibility_for
from resolvers.errors import ErrorCode, QueryError
from resolvers.pagination import MAX_BIGINT, MAX_ID, Page, PageRequest, cursor_int, page_of
from resolvers.pricing import CENT
from resolvers.search_text import prefix_range, search_terms

STOCK_CHECK_LIMIT = 5_000
# Distinct words of a search term's range read one by one in sort order (see _search_sql).
WORD_BRANCHES = 4


class ProductSort(StrEnum):
    NAME_ASC = "NAME_ASC"
    PRICE_ASC = "PRICE_ASC"
    PRICE_DESC = "PRICE_DESC"
    NEWEST = "NEWEST"
    # Best name match first, then the seller's standing, then id (resolvers/catalog/relevance).
    RELEVANCE = "RELEVANCE"


@dataclass(frozen=True)
class _Order:
    columns: tuple[str, ...]
    descending: bool

    def key(self, row: ListedProduct) -> list[Any]:
        return [getattr(row, c) for c in self.columns]


@dataclass(frozen=True, slots=True)
class ListedProduct:
    """A product as a page shows and pages it: the row's columns, without the timestamps.

    Read without the ORM: making Tortoise models of a page took longer than the query (the
    timestamps alone, parsed from text on SQLite, cost more than the rest of the row).
    """

    id: int
    seller_id: int
    name: str
    sort_name: str
    description: str
    brand: str | None
    category: str
    price: Decimal
    price_cents: int
    stock: int
    minimum_quantity: int
    lead_time_days: int | None
    warehouse: str | None
    standing: int
    vat_rate: Decimal | None
    # RELEVANCE only: 0 when the name holds the searched word itself, 1 when only a longer
    # word starting with it (always 0 without a search).
    match: int = 0


_COLUMNS = ", ".join(f"p.{name}" for name in ListedProduct.__slots__ if name != "match")


# Ties are broken by id, so the order is total and a cursor names one position.
_ORDERS = {
    ProductSort.NAME_ASC: _Order(("sort_name", "id"), descending=False),
    ProductSort.PRICE_ASC: _Order(("price_cents", "id"), descending=False),
    ProductSort.PRICE_DESC: _Order(("price_cents", "id"), descending=True),
    ProductSort.NEWEST: _Order(("id",), descending=True),
    ProductSort.RELEVANCE: _Order(("match", "standing", "id"), descending=False),
}


def _after(
    query: Conditions,
    columns: tuple[str, ...],
    order: _Order,
    sort: ProductSort,
    after: list[Any] | None,
) -> None:
    if after is None:
        return
    kinds = [str if c == "sort_name" else int for c in order.columns]
    tag, *key = after
    if (
        tag != sort.value
        or len(key) != len(kinds)
        or not all(type(v) is k for v, k in zip(key, kinds, strict=True))
    ):
        raise QueryError(ErrorCode.INVALID_INPUT, "Curseur invalide")
    for column, value in zip(order.columns, key, strict=True):
        if column != "sort_name":
            cursor_int(value, upper=MAX_BIGINT if column == "price_cents" else MAX_ID)
    marks = ", ".join("?" for _ in key)
    sign = "<" if order.descending else ">"
    query.add(f"({', '.join(columns)}) {sign} ({marks})", *key)


def _order_by(columns: tuple[str, ...], order: _Order) -> str:
    direction = " DESC" if order.descending else ""
    return " ORDER BY " + ", ".join(f"{c}{direction}" for c in columns)


def _browse_sql(
    filters: ProductFilter,
    sort: ProductSort,
    after: list[Any] | None,
    visibility: Visibility | None,
) -> Conditions:
    """No search: walk the product index of the sort (with category or seller in front)."""
    query = browse_filters(filters, visibility)
    order = _ORDERS[sort]
    _after(query, tuple(f"p.{c}" for c in order.columns), order, sort, after)
    return query


def _relevance_sql(
    terms: Sequence[str],
    filters: ProductFilter,
    after: list[Any] | None,
    limit: int,
    visibility: Visibility | None,
) -> tuple[str, list[Any]]:
    key = relevance.cursor_key(after)
    if not terms:
        query = browse_filters(filters, visibility)
        return relevance.browse_sql(_COLUMNS, query.where, query.params, key, limit)
    driving, *others = sorted(terms, key=len, reverse=True)
    query = word_filters(others, filters, visibility)
    if filters.in_stock:
        query.add(IN_STOCK.format("w.product_id"))
    return relevance.search_sql(_COLUMNS, driving, query.where, query.params, key, limit)


def _search_sql(
    terms: Sequence[str],
    filters: ProductFilter,
    sort: ProductSort,
    after: list[Any] | None,
    limit: int,
    candidates: int | None,
    visibility: Visibility | None,
) -> tuple[str, list[Any]]:
    """Search: candidates come from `word_lookup`, which also holds the sort keys, category,
    seller and price, so they are filtered and sorted from the index, not from product rows;
    the other terms, zones, attributes and stock are probed per candidate through unique
    indexes.

    A term's range usually holds a few distinct words ("perceuse", "perceuses"), each with
    thousands of rows.  Sorting the whole range to keep one page cost 15 times the list;
    instead the first `WORD_BRANCHES` words of the range are found by index seeks (the CTE
    `v`) and each word's rows are read in sort order (the index is ordered by word, then
    sort_name), only until the page is full.  The rest of the range, empty unless the
    prefix is short ("p"), is sorted as a whole.  The union of these first pages holds the
    page: a product among the first n overall is among the first n of each of its words.

    "In stock" needs the product row.  The words' ordered walks probe it as they go, so
    they read about one product row per product shown.  The rest of the range would probe
    every match before sorting; with `candidates`, only its first `candidates` in order are
    probed (the CTE `t`), and when it had more, the page stops at the last of them: a short
    page then tells the caller to widen the window.
    """
    driving, *others = sorted(terms, key=len, reverse=True)  # the longest: fewest candidates
    low, high = prefix_range(driving)
    query = word_filters(others, filters, visibility)
    order = _ORDERS[sort]
    columns = tuple("w.product_id" if c == "id" else f"w.{c}" for c in order.columns)
    _after(query, columns, order, sort, after)
    where = "".join(f" AND {c}" for c in query.where)
    stock = f" AND {IN_STOCK.format('w.product_id')}" if filters.in_stock else ""
    ordered = _order_by(columns, order)
    names = tuple(c.removeprefix("w.") for c in columns)
    selected = ", ".join(columns)

    # Each next word is one index seek (ORDER BY ... LIMIT 1 rather than MIN(), which
    # PostgreSQL may answer by reading the whole range when it misjudges its size).
    words = (
        "v(n, word) AS (SELECT 1, (SELECT word FROM product_word WHERE word >= ?"
        " AND word < ? ORDER BY word LIMIT 1) UNION ALL SELECT n + 1, (SELECT word"
        " FROM product_word WHERE word > v.word AND word < ? ORDER BY word LIMIT 1)"
        f" FROM v WHERE v.word IS NOT NULL AND n < {WORD_BRANCHES})"
    )
    ctes = [words]
    head: list[Any] = [low, high, high]
    branches, params = [], []
    for n in range(1, WORD_BRANCHES + 1):
        # (product, word) is unique: no product twice within one word.
        branches.append(
            f"SELECT * FROM (SELECT {selected} FROM product_word w WHERE"
            f" w.word = (SELECT word FROM v WHERE n = {n}){where}{stock}"
            f"{ordered} LIMIT ?) b{n}"
        )
        params += [*query.params, limit]
    # DISTINCT: a product appears once even when two of its words start with the term.
    rest = (
        f"SELECT DISTINCT {selected} FROM product_word w WHERE w.word > (SELECT word"
        f" FROM v WHERE n = {WORD_BRANCHES}) AND w.word < ?{where}"
    )
    guard, tail = "", []
    if filters.in_stock and candidates is not None:
        ctes.append(f"t AS ({rest}{ordered} LIMIT ?)")
        head += [high, *query.params, candidates]
        branches.append(f"SELECT * FROM t WHERE {IN_STOCK.format('t.product_id')}")
        # Past the window's last candidate, a product of the rest might be missing.
        last = _order_by(names, _Order(order.columns, not order.descending))
        guard = (
            f" AND ((SELECT COUNT(*) FROM t) < ?"
            f" OR ({', '.join(f'p.{c}' for c in order.columns)})"
            f" {'>=' if order.descending else '<='}"
            f" (SELECT {', '.join(names)} FROM t{last} LIMIT 1))"
        )
        tail = [candidates]
    else:
        branches.append(f"SELECT * FROM ({rest}{stock}{ordered} LIMIT ?) rest")
        params += [high, *query.params, limit]
    # UNION drops the product found under two of its words.
    sql = (
        f"WITH RECURSIVE {', '.join(ctes)} SELECT {_COLUMNS} FROM product p"
        f" WHERE p.id IN (SELECT product_id FROM ({' UNION '.join(branches)}) m"
        f"{_order_by(names, order)} LIMIT ?){guard}"
        f"{_order_by(tuple(f'p.{c}' for c in order.columns), order)} LIMIT ?"
    )
    return sql, [*head, *params, limit, *tail, limit]


def list_sql(
    *,
    search: str | None,
    filters: ProductFilter,
    sort: ProductSort,
    after: list[Any] | None,
    limit: int,
    visibility: Visibility | None,
    candidates: int | None = None,
) -> tuple[str, list[Any]] | None:
    """The statement listing one page (`?` placeholders), or None when nothing can match.

    `candidates` bounds how many search matches are checked for stock (see `_search_sql`).
    """
    terms = search_terms(search or "")
    if terms is None:
        return None
    if sort is ProductSort.RELEVANCE:
        return _relevance_sql(terms, filters, after, limit, visibility)
    if terms:
        return _search_sql(terms, filters, sort, after, limit, candidates, visibility)
    query = _browse_sql(filters, sort, after, visibility)
    order = _ORDERS[sort]
    sql = (
        f"SELECT {_COLUMNS} FROM product p{query.clause()}"
        f"{_order_by(tuple(f'p.{c}' for c in order.columns), order)} LIMIT ?"
    )
    return sql, [*query.params, limit]


async def list_products(
    actor: Actor,
    *,
    search: str | None,
    filters: ProductFilter,
    sort: ProductSort,
    page: PageRequest,
) -> Page[ListedProduct]:
    """Anyone browses: name search, combinable filters, stable sort, keyset pages.

    A suspended seller's products are left out, except for itself and admins.
    """
    order = _ORDERS[sort]
    visibility = visibility_for(actor)
    statement = list_sql(
        search=search,
        filters=filters,
        sort=sort,
        after=page.after,
        limit=page.first + 1,
        visibility=visibility,
    )
    if statement is None or page.first == 0:
        return page_of([], page, order.key)
    if filters.in_stock and search_terms(search or "") and sort is not ProductSort.RELEVANCE:
        # Past a term's first words, the rest of its range is checked for stock on its
        # first candidates only: most products are in stock, so that usually fills the
        # page without reading every match's row; widen until it does.
        candidates = (page.first + 1) * 4
        while candidates < STOCK_CHECK_LIMIT:
            bounded = list_sql(
                search=search,
                filters=filters,
                sort=sort,
                after=page.after,
                limit=page.first + 1,
                visibility=visibility,
                candidates=candidates,
            )
            assert bounded is not None
            rows = await _fetch(*bounded)
            if len(rows) > page.first:
                return page_of(rows, page, lambda row: [sort.value, *order.key(row)])
            candidates *= 8
    rows = await _fetch(*statement)
    return page_of(rows, page, lambda row: [sort.value, *order.key(row)])


async def _fetch(sql: str, params: list[Any]) -> list[ListedProduct]:
    conn = connections.get("default")
    rows = await conn.execute_query_dict(for_dialect(sql, conn.capabilities.dialect), params)
    for row in rows:
        # SQLite keeps decimals as text: read them as the model's DecimalField does.
        row["price"] = Decimal(row["price"]).quantize(CENT)
        if row["vat_rate"] is not None:
            row["vat_rate"] = Decimal(row["vat_rate"]).quantize(CENT)
    return [ListedProduct(**row) for row in rows]
