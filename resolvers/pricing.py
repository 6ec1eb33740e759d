"""Prices of carts and orders: cents, line totals, per-seller parts with the small-order fee."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol, TypeVar

from models.catalog import Product
from resolvers.policy import Policy

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)


def line_total(price: Decimal, quantity: int) -> Decimal:
    return money(price * quantity)


def seller_amounts(
    line_totals: Iterable[Decimal], *, policy: Policy
) -> tuple[Decimal, Decimal, Decimal]:
    """Subtotal, small-order fee and total of one seller's part, which becomes one order: the
    fee applies strictly under the threshold (seed 003: "under 100 €")."""
    subtotal = money(sum(line_totals, Decimal(0)))
    fee = money(policy.small_order_fee if subtotal < policy.small_order_threshold else Decimal(0))
    return subtotal, fee, subtotal + fee


class _HasProduct(Protocol):
    @property
    def product(self) -> Product: ...


L = TypeVar("L", bound=_HasProduct)


def by_seller(lines: Iterable[L]) -> dict[int, list[L]]:
    """Lines grouped by the product's seller, sellers in the order of their first line."""
    groups: dict[int, list[L]] = {}
    for line in lines:
        groups.setdefault(line.product.seller_id, []).append(line)
    return groups
