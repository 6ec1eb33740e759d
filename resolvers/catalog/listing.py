"""Browsing: one product, comparison, and the searched, filtered, sorted, keyset-paged list.

The list is one SQL statement built for both databases.  Each search term and each filter
is a condition an index answers: a range over `product_word.word`, `delivery_zone.prefix`
IN the postal code's prefixes, `product_attribute (name_key, value_key)`, and the composite
indexes of `product` for category/seller with each sort order.  Pages continue after the
last row's sort key (a row-value comparison), never with OFFSET.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tortoise import connections

from models.catalog import Product
from resolvers.actor import Actor
from resolvers.catalog.products import MAX_PRICE
from resolvers.errors import ErrorCode, QueryError
from resolvers.pagination import Page, PageRequest, page_of
from resolvers.search_text import fold, prefix_range, search_terms

MAX_COMPARED = 3
POSTAL_CODE_LENGTH = 10


class ProductSort(StrEnum):
    NAME_ASC = "NAME_ASC"
    PRICE_ASC = "PRICE_ASC"
    PRICE_DESC = "PRICE_DESC"
    NEWEST = "NEWEST"


@dataclass(frozen=True)
class ProductFilter:
    """Conditions that all hold (AND); None means no condition."""

    category: str | None = None
    seller_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    # True: only products with stock left; False or None: no condition.
    in_stock: bool | None = None
    deliverable_to: str | None = None
    attributes: Sequence[tuple[str, str]] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Order:
    columns: tuple[str, ...]
    descending: bool

    def key(self, row: Product) -> list[Any]:
        return [getattr(row, c) for c in self.columns]


# Ties are broken by id, so the order is total and a cursor names one position.
_ORDERS = {
    ProductSort.NAME_ASC: _Order(("sort_name", "id"), descending=False),
    ProductSort.PRICE_ASC: _Order(("price_cents", "id"), descending=False),
    ProductSort.PRICE_DESC: _Order(("price_cents", "id"), descending=True),
    ProductSort.NEWEST: _Order(("id",), descending=True),
}


async def get_product(actor: Actor, *, product_id: int) -> Product | None:
    """A product, for anyone browsing."""
    return await Product.get_or_none(id=product_id)


async def compare_products(actor: Actor, *, product_ids: Sequence[int]) -> list[Product]:
    """Up to three products side by side, in the order asked; unknown ids are left out."""
    if len(product_ids) > MAX_COMPARED:
        raise QueryError(ErrorCode.TOO_MANY_ITEMS,
                         f"At most {MAX_COMPARED} products can be compared")
    found = {p.id: p for p in await Product.filter(id__in=list(product_ids))}
    wanted = dict.fromkeys(product_ids)
    return [found[pid] for pid in wanted if pid in found]


def _cents(value: Decimal | None, name: str) -> int | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise QueryError(ErrorCode.INVALID_INPUT, f"{name} must be between 0 and {MAX_PRICE}")
    return int(value * 100)


def postal_prefixes(postal_code: str) -> list[str]:
    """Every prefix of a postal code: the zones that would deliver to it."""
    code = postal_code.replace(" ", "").upper()
    if not code.isalnum() or not code.isascii() or len(code) > POSTAL_CODE_LENGTH:
        raise QueryError(ErrorCode.INVALID_INPUT, f"{postal_code!r} is not a postal code")
    return [code[:n] for n in range(1, len(code) + 1)]


class _Query:
    """WHERE conditions and their parameters, written with `?` placeholders."""

    def __init__(self) -> None:
        self.where: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> None:
        self.where.append(condition)
        self.params.extend(params)


def _conditions(query: _Query, terms: Sequence[str], filters: ProductFilter) -> None:
    for term in terms:
        query.add("p.id IN (SELECT w.product_id FROM product_word w"
                  " WHERE w.word >= ? AND w.word < ?)", *prefix_range(term))
    if filters.category is not None:
        query.add("p.category = ?", " ".join(filters.category.split()))
    if filters.seller_id is not None:
        query.add("p.seller_id = ?", filters.seller_id)
    low = _cents(filters.min_price, "minPrice")
    high = _cents(filters.max_price, "maxPrice")
    if low is not None:
        query.add("p.price_cents >= ?", low)
    if high is not None:
        query.add("p.price_cents <= ?", high)
    if filters.in_stock:
        query.add("p.stock > 0")
    if filters.deliverable_to is not None:
        prefixes = postal_prefixes(filters.deliverable_to)
        marks = ", ".join("?" for _ in prefixes)
        query.add(f"p.id IN (SELECT z.product_id FROM delivery_zone z"
                  f" WHERE z.prefix IN ({marks}))", *prefixes)
    for name, value in filters.attributes:
        query.add("p.id IN (SELECT a.product_id FROM product_attribute a"
                  " WHERE a.name_key = ? AND a.value_key = ?)", fold(name.strip()),
                  fold(value.strip()))


def _after(query: _Query, order: _Order, sort: ProductSort, after: list[Any] | None) -> None:
    if after is None:
        return
    kinds = [str if c == "sort_name" else int for c in order.columns]
    tag, *key = after
    if (tag != sort.value or len(key) != len(kinds)
            or not all(type(v) is k for v, k in zip(key, kinds, strict=True))):
        raise QueryError(ErrorCode.INVALID_INPUT, "Malformed cursor")
    columns = ", ".join(f"p.{c}" for c in order.columns)
    marks = ", ".join("?" for _ in key)
    sign = "<" if order.descending else ">"
    query.add(f"({columns}) {sign} ({marks})", *key)


def list_sql(*, search: str | None, filters: ProductFilter, sort: ProductSort,
             after: list[Any] | None, limit: int) -> tuple[str, list[Any]] | None:
    """The statement listing one page (`?` placeholders), or None when nothing can match."""
    terms = search_terms(search or "")
    if terms is None:
        return None
    order = _ORDERS[sort]
    query = _Query()
    _conditions(query, terms, filters)
    _after(query, order, sort, after)
    direction = " DESC" if order.descending else ""
    sql = "SELECT p.* FROM product p"
    if query.where:
        sql += " WHERE " + " AND ".join(query.where)
    sql += " ORDER BY " + ", ".join(f"p.{c}{direction}" for c in order.columns)
    sql += " LIMIT ?"
    return sql, [*query.params, limit]


def for_dialect(sql: str, dialect: str) -> str:
    """`?` placeholders as the connection's driver wants them ($1, $2... for asyncpg)."""
    if dialect != "postgres":
        return sql
    pieces = sql.split("?")
    return "".join(p + (f"${i}" if i < len(pieces) else "")
                   for i, p in enumerate(pieces, start=1))


async def list_products(actor: Actor, *, search: str | None, filters: ProductFilter,
                        sort: ProductSort, page: PageRequest) -> Page[Product]:
    """Anyone browses: name search, combinable filters, stable sort, keyset pages."""
    order = _ORDERS[sort]
    statement = list_sql(search=search, filters=filters, sort=sort, after=page.after,
                         limit=page.first + 1)
    if statement is None or page.first == 0:
        return page_of([], page, order.key)
    sql, params = statement
    conn = connections.get("default")
    rows = await conn.execute_query_dict(for_dialect(sql, conn.capabilities.dialect), params)
    products = [Product._init_from_db(**row) for row in rows]
    return page_of(products, page, lambda row: [sort.value, *order.key(row)])
