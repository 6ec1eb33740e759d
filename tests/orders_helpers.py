"""Shared set-up for cart and order tests: actors, a reservation in one call, counters."""

from __future__ import annotations

import itertools
from typing import Any

from models.catalog import Product
from models.events import Event
from models.mail import OutboxMail
from models.orders import Order, OrderStatusChange
from resolvers.actor import Actor
from resolvers.cart import add_to_cart
from resolvers.orders import Address, reserve_cart
from resolvers.sessions import actor_for_token
from tests.clients import GraphQLClient
from tests.configuration import POLICY

ADDRESS = Address(line1="12 rue Oberkampf", postal_code="75011", city="Paris", country="FR")
ADDRESS_INPUT = {
    "line1": "12 rue Oberkampf",
    "postalCode": "75011",
    "city": "Paris",
    "country": "FR",
}

_keys = itertools.count(1)

# The rules' default settings, as the test app's context hands them to resolvers.

ORDER_FIELDS = """
  id number status total subtotal smallOrderFee remark carrier trackingNumber
  buyer { id email } seller { id name }
  lines { product { id stock } productName unitPrice quantity }
  deliveryAddress { line1 line2 postalCode city country }
  history { from to actorRole reason }
"""

RESERVE = f"""
mutation($input: ReserveInput!) {{
  reserveCart(input: $input) {{ errors {{ code field message }} orders {{ {ORDER_FIELDS} }} }}
}}"""

ADD = """
mutation($p: ID!, $q: Int!) {
  addToCart(productId: $p, quantity: $q) {
    errors { code field message }
    cart { total lines { quantity lineTotal product { id } } }
  }
}"""


def new_key() -> str:
    return f"key-{next(_keys)}"


def reserve_input(key: str | None = None, **overrides: Any) -> dict[str, Any]:
    return {"deliveryAddress": ADDRESS_INPUT, "idempotencyKey": key or new_key(), **overrides}


async def actor_of(client: GraphQLClient) -> Actor:
    """The Actor behind a logged-in test client."""
    assert client.token is not None
    return await actor_for_token(client.token)


async def reserve(
    client: GraphQLClient, *lines: tuple[Product, int], key: str | None = None
) -> list[Order]:
    """Fill the client's cart with `lines` and reserve it through the resolvers."""
    actor = await actor_of(client)
    for product, quantity in lines:
        await add_to_cart(actor, product_id=product.id, quantity=quantity, policy=POLICY)
    return await reserve_cart(
        actor, address=ADDRESS, remark=None, idempotency_key=key or new_key(), policy=POLICY
    )


async def stock_of(product: Product) -> int:
    return (await Product.get(id=product.id)).stock


async def status_of(order: Order) -> str:
    return str((await Order.get(id=order.id)).status)


async def counts() -> tuple[int, int, int, int]:
    """Rows that any change writes: orders, history entries, events, mails."""
    return (
        await Order.all().count(),
        await OrderStatusChange.all().count(),
        await Event.all().count(),
        await OutboxMail.all().count(),
    )
