"""What may be bought where: the deliverability and minimum-quantity rules, written once for
the cart, reservations, quote lists and re-orders."""

from __future__ import annotations

from collections.abc import Sequence

from models.catalog import Product
from resolvers.catalog import deliverable
from resolvers.errors import ErrorCode, Problems


def ships_to(prefixes: Sequence[str], postal_code: str | None) -> bool:
    """Whether the product's zones include `postal_code` (None: not known yet, so yes)."""
    return postal_code is None or deliverable(prefixes, postal_code)


def check_deliverable(
    problems: Problems,
    product: Product,
    prefixes: Sequence[str],
    postal_code: str | None,
    field: str,
) -> None:
    if not ships_to(prefixes, postal_code):
        problems.add(
            ErrorCode.NOT_DELIVERABLE,
            f"« {product.name} » n'est pas livrable au {postal_code}.",
            field,
        )


def check_minimum(problems: Problems, product: Product, quantity: int, field: str) -> None:
    if quantity < product.minimum_quantity:
        problems.add(
            ErrorCode.BELOW_MINIMUM_QUANTITY,
            f"« {product.name} » se commande par {product.minimum_quantity} au minimum.",
            field,
        )
