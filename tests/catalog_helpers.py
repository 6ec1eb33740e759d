"""Products for tests of every area, written through the catalog's own resolvers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from models.accounts import Account, Role, Seller
from models.catalog import Product
from resolvers.actor import Actor
from resolvers.catalog import ProductData, create_product
from tests.clients import GraphQLClient


async def seller_actor(seller_account: Account | GraphQLClient) -> Actor:
    """The Actor a seller account (or the `seller` fixture's client) acts as."""
    account_id = (
        seller_account.account_id
        if isinstance(seller_account, GraphQLClient)
        else seller_account.id
    )
    assert account_id is not None
    shop = await Seller.get(account_id=account_id)
    return Actor(account_id=account_id, role=Role.SELLER, seller_id=shop.id)


def product_data(**overrides: Any) -> ProductData:
    """A valid product, delivered everywhere in metropolitan France unless overridden."""
    values: dict[str, Any] = {
        "name": "Ciment gris CEM II 35 kg",
        "description": "Sac de ciment pour maçonnerie courante.",
        "brand": "Lafarge",
        "category": "Gros œuvre",
        "attributes": [("Poids", "35 kg")],
        "price": Decimal("9.90"),
        "stock": 100,
        "minimum_quantity": 1,
        "lead_time_days": None,
        "warehouse": "Entrepôt de Gennevilliers",
        "delivery_zones": [f"{d:02d}" for d in range(1, 96)] + ["2A", "2B"],
    }
    values.update(overrides)
    if isinstance(values["price"], str | int):
        values["price"] = Decimal(values["price"])
    return ProductData(**values)


async def make_product(seller_account: Account | GraphQLClient, **overrides: Any) -> Product:
    """A product of the seller's shop (an Account, or the `seller` fixture's client).

    Keyword overrides use ProductData's names: price may be a string ("12.50"), attributes
    a list of (name, value) pairs, delivery_zones a list of postal-code prefixes.
    """
    actor = await seller_actor(seller_account)
    return await create_product(actor, data=product_data(**overrides))
