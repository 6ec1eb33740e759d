"""The WHERE conditions of the product list: its filters, the sellers it hides, the probes
each candidate goes through (zones, attributes) by unique index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from resolvers.catalog.products import MAX_PRICE
from resolvers.catalog.visibility import Visibility
from resolvers.errors import ErrorCode, QueryError
from resolvers.search_text import fold, prefix_range

POSTAL_CODE_LENGTH = 10


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


def price_cents_of(value: Decimal | None, name: str) -> int | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise QueryError(
            ErrorCode.INVALID_INPUT, f"{name} doit être compris entre 0 et {MAX_PRICE}"
        )
    return int(value * 100)


def postal_prefixes(postal_code: str) -> list[str]:
    """Every prefix of a postal code: the zones that would deliver to it."""
    code = postal_code.replace(" ", "").upper()
    if not code.isalnum() or not code.isascii() or len(code) > POSTAL_CODE_LENGTH:
        raise QueryError(ErrorCode.INVALID_INPUT, f"{postal_code!r} n'est pas un code postal")
    return [code[:n] for n in range(1, len(code) + 1)]


class Conditions:
    """WHERE conditions and their parameters, written with `?` placeholders."""

    def __init__(self) -> None:
        self.where: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> None:
        self.where.append(condition)
        self.params.extend(params)

    def clause(self) -> str:
        return " WHERE " + " AND ".join(self.where) if self.where else ""


def price_range(query: Conditions, alias: str, filters: ProductFilter) -> None:
    low = price_cents_of(filters.min_price, "minPrice")
    high = price_cents_of(filters.max_price, "maxPrice")
    if low is not None:
        query.add(f"{alias}.price_cents >= ?", low)
    if high is not None:
        query.add(f"{alias}.price_cents <= ?", high)


def hide_suspended(query: Conditions, column: str, visibility: Visibility | None) -> None:
    if visibility is not None:
        query.add(*visibility.condition(column))


def probes(query: Conditions, ref: str, filters: ProductFilter) -> None:
    """Filters checked per candidate through a unique (product_id, ...) index."""
    if filters.deliverable_to is not None:
        prefixes = postal_prefixes(filters.deliverable_to)
        marks = ", ".join("?" for _ in prefixes)
        query.add(
            f"EXISTS (SELECT 1 FROM delivery_zone z WHERE z.product_id = {ref}"
            f" AND z.prefix IN ({marks}))",
            *prefixes,
        )
    for name, value in filters.attributes:
        query.add(
            f"EXISTS (SELECT 1 FROM product_attribute a WHERE a.product_id = {ref}"
            " AND a.name_key = ? AND a.value_key = ?)",
            fold(name.strip()),
            fold(value.strip()),
        )


def browse_filters(filters: ProductFilter, visibility: Visibility | None) -> Conditions:
    query = Conditions()
    if filters.category is not None:
        query.add("p.category = ?", " ".join(filters.category.split()))
    if filters.seller_id is not None:
        query.add("p.seller_id = ?", filters.seller_id)
    price_range(query, "p", filters)
    if filters.in_stock:
        query.add("p.stock > 0")
    hide_suspended(query, "p.seller_id", visibility)
    probes(query, "p.id", filters)
    return query


IN_STOCK = "EXISTS (SELECT 1 FROM product s WHERE s.id = {} AND s.stock > 0)"


def word_filters(
    others: Sequence[str], filters: ProductFilter, visibility: Visibility | None
) -> Conditions:
    """The conditions on a `product_word w` candidate: the other terms, filters, visibility."""
    query = Conditions()
    for term in others:
        query.add(
            "EXISTS (SELECT 1 FROM product_word o WHERE o.product_id = w.product_id"
            " AND o.word >= ? AND o.word < ?)",
            *prefix_range(term),
        )
    if filters.category is not None:
        query.add("w.category = ?", " ".join(filters.category.split()))
    if filters.seller_id is not None:
        query.add("w.seller_id = ?", filters.seller_id)
    price_range(query, "w", filters)
    hide_suspended(query, "w.seller_id", visibility)
    probes(query, "w.product_id", filters)
    return query
