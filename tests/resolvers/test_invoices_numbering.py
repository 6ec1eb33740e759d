"""Document numbers: per seller and calendar year, shared by invoices and credit notes, with no
gap and no repeat, also when one seller ships many orders at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from models.invoices import Invoice, InvoiceCounter
from models.orders import Order, OrderStatus
from realtime.log import atomic
from resolvers.orders import ship_order
from resolvers.orders.flow import Shipment, change_status
from resolvers.policy import Policy
from tests.catalog_helpers import make_product, seller_actor
from tests.clients import GraphQLClient
from tests.invoices_helpers import document_rows, shipped, validated_orders


class _Abandoned(Exception):
    pass


async def test_fifty_orders_of_one_seller_shipped_at_once_are_numbered_1_to_50(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=1000)
    orders = await validated_orders(buyer, seller, (product, 1), count=50)
    shop = await seller_actor(seller)

    shipped_orders = await asyncio.gather(
        *(
            ship_order(shop, order_id=o.id, carrier="Geodis", tracking_number="GE1", policy=policy)
            for o in orders
        )
    )

    assert {o.status for o in shipped_orders} == {OrderStatus.SHIPPED}
    invoices = await Invoice.all()
    assert sorted(i.sequence for i in invoices) == list(range(1, 51))
    assert len({i.number for i in invoices}) == 50
    assert {i.order_id for i in invoices} == {o.id for o in orders}
    (counter,) = await InvoiceCounter.all()
    assert counter.last_sequence == 50


async def test_the_number_names_the_seller_the_year_and_six_digits(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    _, invoice = await shipped(buyer, seller, (product, 1))
    shop = await seller_actor(seller)
    year = invoice.issued_at.year
    assert invoice.number == f"BATI{shop.seller_id}-{year}-000001"
    assert (invoice.year, invoice.sequence) == (year, 1)


async def test_each_seller_counts_from_one(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    mine = await make_product(seller)
    theirs = await make_product(other_seller)
    numbers = []
    for product, shop in ((mine, seller), (theirs, other_seller), (mine, seller)):
        numbers.append((await shipped(buyer, shop, (product, 1)))[1].number)
    assert [n.rsplit("-", 1)[1] for n in numbers] == ["000001", "000001", "000002"]
    assert numbers[0].split("-")[0] != numbers[1].split("-")[0]


async def test_a_new_year_in_the_market_time_zone_starts_again_at_one(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    before, after = await validated_orders(buyer, seller, (product, 1), count=2)
    shop = await seller_actor(seller)
    # 31 December 22:30 UTC is already 1 January in Paris.
    for order, now in (
        (before, datetime(2026, 12, 31, 22, 29, tzinfo=UTC)),
        (after, datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),
    ):
        await change_status(
            order,
            to=OrderStatus.SHIPPED,
            role=shop.role,
            actor_account_id=shop.account_id,
            policy=policy,
            now=now,
            shipment=Shipment(carrier="DPD", tracking_number="1Z"),
        )
    first, second = await Invoice.all().order_by("id")
    assert (first.year, first.sequence, second.year, second.sequence) == (2026, 1, 2027, 1)
    assert second.number.endswith("-2027-000001")


async def test_a_rolled_back_shipment_leaves_no_hole(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    abandoned, kept = await validated_orders(buyer, seller, (product, 1), count=2)
    shop = await seller_actor(seller)
    before = await document_rows()

    async def ship_then_fail() -> None:
        async with atomic():
            await ship_order(
                shop, order_id=abandoned.id, carrier="DPD", tracking_number="1Z", policy=policy
            )
            assert await Invoice.filter(order_id=abandoned.id).exists()
            raise _Abandoned

    with pytest.raises(_Abandoned):
        await ship_then_fail()

    assert await document_rows() == before
    assert (await Order.get(id=abandoned.id)).status is OrderStatus.VALIDATED
    await ship_order(shop, order_id=kept.id, carrier="DPD", tracking_number="1Z", policy=policy)
    assert [i.sequence for i in await Invoice.all()] == [1]
