"""What may be bought where: the deliverability and minimum-quantity rules, written once for
the cart, reservations and re-orders."""

from __future__ import annotations

from collections.abc import Sequence

from models.catalog import Product
from resolvers.catalog import deliverable
from resolvers.errors import ErrorCode, Problem


def not_deliverable(
    product: Product, prefixes: Sequence[str], postal_code: str | None, field: str
) -> Problem | None:
    """NOT_DELIVERABLE when the product's zones exclude `postal_code` (None: not known yet)."""
    if postal_code is None or deliverable(prefixes, postal_code):
        return None
    return Problem(
        ErrorCode.NOT_DELIVERABLE,
        f"« {product.name} » n'est pas livrable au {postal_code}.",
        field,
    )


def below_minimum(product: Product, quantity: int, field: str) -> Problem | None:
    if quantity >= product.minimum_quantity:
        return None
    return Problem(
        ErrorCode.BELOW_MINIMUM_QUANTITY,
        f"« {product.name} » se commande par {product.minimum_quantity} au minimum.",
        field,
    )
