"""acceptQuote: one order at the offered prices, stock reserved all or nothing, idempotent."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from models.events import Event, EventKind
from models.invoices import Invoice, InvoiceKind
from models.mail import OutboxMail
from models.orders import Order, OrderLine, OrderStatusChange
from models.quotes import Quote
from resolvers.actor import ANONYMOUS
from resolvers.catalog import withdraw_seller_products
from resolvers.errors import DomainError, Forbidden, Unauthenticated
from resolvers.orders import ship_order
from resolvers.policy import Policy
from resolvers.quotes import Choice, accept_quote
from tests.catalog_helpers import make_product, seller_actor
from tests.clients import GraphQLClient
from tests.orders_helpers import ADDRESS, actor_of, reserve, stock_of
from tests.quotes_helpers import accept, offer, offered_quote, request_quote, world


async def test_accepting_makes_one_validated_order_at_the_offered_prices(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    cement = await make_product(seller, name="Ciment", price="9.90", stock=500)
    sand = await make_product(seller, name="Sable", price="30.00", stock=50)
    (quote,) = await request_quote(buyer, (cement, [10, 100]), (sand, [5]))
    await offer(seller, quote, (cement, {10: "9.50", 100: "8.75"}), (sand, {5: "28.00"}))
    events_before = await Event.all().count()

    accepted = await accept(buyer, quote, (cement, 100), (sand, 5))

    assert accepted.status == "ACCEPTED"
    assert accepted.order_id is not None
    order = await Order.get(id=accepted.order_id)
    assert (order.status, order.subtotal, order.small_order_fee, order.total) == (
        "VALIDATED",
        Decimal("1015.00"),
        Decimal("0.00"),
        Decimal("1015.00"),
    )
    assert order.number.startswith("CMD-")
    assert order.buyer_id == buyer.account_id
    lines = await OrderLine.filter(order_id=order.id).order_by("id")
    assert [(line.product_name, line.unit_price, line.quantity) for line in lines] == [
        ("Ciment", Decimal("8.75"), 100),
        ("Sable", Decimal("28.00"), 5),
    ]
    assert [await stock_of(cement), await stock_of(sand)] == [400, 45]
    history = (
        await OrderStatusChange.filter(order_id=order.id)
        .order_by("id")
        .values_list("from_status", "to_status", "actor_role", "reason")
    )
    assert history == [
        (None, "PENDING", "BUYER", None),
        ("PENDING", "VALIDATED", None, "Offre acceptée"),
    ]
    kinds = await Event.filter(id__gt=events_before).order_by("id").values_list("kind", "payload")
    assert [(k, p["to"]) for k, p in kinds] == [
        (EventKind.ORDER_STATUS, "PENDING"),
        (EventKind.ORDER_STATUS, "VALIDATED"),
        (EventKind.QUOTE_STATUS, "ACCEPTED"),
    ]
    accepted_mail = await OutboxMail.get(subject=f"Devis {quote.number} : Offre acceptée")
    assert accepted_mail.recipient == "seller@example.fr"


async def test_lines_may_be_left_out_and_small_orders_pay_the_fee(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    cement = await make_product(seller, name="Ciment", stock=500)
    sand = await make_product(seller, name="Sable", stock=50)
    (quote,) = await request_quote(buyer, (cement, [10, 100]), (sand, [5]))
    await offer(seller, quote, (cement, {10: "9.50", 100: "8.75"}), (sand, {5: "28.00"}))
    accepted = await accept(buyer, quote, (cement, 10))
    order = await Order.get(id=accepted.order_id)
    assert (order.subtotal, order.small_order_fee, order.total) == (
        Decimal("95.00"),
        Decimal("5.00"),
        Decimal("100.00"),
    )
    assert await stock_of(sand) == 50


@pytest.mark.parametrize(
    "choices",
    [
        [],  # nothing chosen
        [("cement", 10), ("cement", 100)],  # one line twice
        [("cement", 50)],  # a quantity never offered
        [("other", 10)],  # a product outside the quote
    ],
)
async def test_bad_choices_are_invalid_input_and_change_nothing(
    buyer: GraphQLClient, seller: GraphQLClient, choices: list[tuple[str, int]], policy: Policy
) -> None:
    products = {
        "cement": await make_product(seller, name="Ciment"),
        "other": await make_product(seller, name="Autre"),
    }
    quote = await offered_quote(buyer, seller, products["cement"], {10: "9.50", 100: "8.75"})
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept_quote(
            await actor_of(buyer),
            quote_id=quote.id,
            choices=[Choice(products[p].id, q) for p, q in choices],
            address=ADDRESS,
            remark=None,
            idempotency_key="k",
            policy=policy,
        )
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", "choices")]
    assert await world() == before


async def test_short_stock_refuses_the_whole_acceptance(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    plenty = await make_product(seller, name="Ciment", stock=500)
    scarce = await make_product(seller, name="Sable", stock=4)
    (quote,) = await request_quote(buyer, (plenty, [10]), (scarce, [5]))
    await offer(seller, quote, (plenty, {10: "1.00"}), (scarce, {5: "2.00"}))
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept(buyer, quote, (plenty, 10), (scarce, 5))
    assert [(p.code, p.field) for p in refused.value.problems] == [("OUT_OF_STOCK", "lines.1")]
    assert await world() == before
    assert (await Quote.get(id=quote.id)).status == "OFFERED"


async def test_an_address_outside_the_delivery_zones_is_refused(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, delivery_zones=["69"])
    quote = await offered_quote(buyer, seller, product, {10: "1.00"})
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept(buyer, quote, (product, 10))
    assert refused.value.problems[0].code == "NOT_DELIVERABLE"
    assert await world() == before


async def test_the_same_key_replays_the_acceptance(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=100)
    quote = await offered_quote(buyer, seller, product, {10: "1.00", 20: "0.90"})
    first = await accept(buyer, quote, (product, 10), key="once")
    before = await world()
    again = await accept(buyer, quote, (product, 10), key="once")
    assert (again.id, again.order_id) == (first.id, first.order_id)
    assert await world() == before
    for other_request in (
        accept(buyer, quote, (product, 20), key="once"),
        accept_quote(
            await actor_of(buyer),
            quote_id=quote.id,
            choices=[Choice(product.id, 10)],
            address=replace(ADDRESS, line1="1 rue Neuve"),
            remark=None,
            idempotency_key="once",
            policy=policy,
        ),
    ):
        with pytest.raises(DomainError) as refused:
            await other_request
        assert refused.value.problems[0].code == "IDEMPOTENCY_KEY_REUSED"
    # A fresh key on an accepted quote is a transition that no longer exists.
    with pytest.raises(DomainError) as refused:
        await accept(buyer, quote, (product, 10), key="another")
    assert refused.value.problems[0].code == "INVALID_TRANSITION"
    assert await world() == before


async def test_a_key_used_for_a_reservation_cannot_accept_a_quote(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=100)
    await reserve(buyer, (product, 1), key="shared")
    quote = await offered_quote(buyer, seller, product, {10: "1.00"})
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept(buyer, quote, (product, 10), key="shared")
    assert refused.value.problems[0].code == "IDEMPOTENCY_KEY_REUSED"
    assert await world() == before


async def test_wrong_callers_cannot_accept(
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    admin: GraphQLClient,
    policy: Policy,
) -> None:
    product = await make_product(seller)
    quote = await offered_quote(buyer, seller, product, {10: "1.00"})
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept(other_buyer, quote, (product, 10))
    assert refused.value.problems[0].code == "NOT_FOUND"
    for client in (seller, admin):
        with pytest.raises(Forbidden):
            await accept(client, quote, (product, 10))
    with pytest.raises(Unauthenticated):
        await accept_quote(
            ANONYMOUS,
            quote_id=quote.id,
            choices=[Choice(product.id, 10)],
            address=ADDRESS,
            remark=None,
            idempotency_key="k",
            policy=policy,
        )
    assert await world() == before


async def test_a_request_not_yet_offered_cannot_be_accepted(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    (quote,) = await request_quote(buyer, (product, [10]))
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept(buyer, quote, (product, 10))
    assert refused.value.problems[0].code == "INVALID_TRANSITION"
    assert await world() == before


async def test_company_members_need_place_orders_to_accept(
    company_member: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    quote = await offered_quote(company_member, seller, product, {10: "1.00"})
    actor = replace(await actor_of(company_member), rights=frozenset())
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept_quote(
            actor,
            quote_id=quote.id,
            choices=[Choice(product.id, 10)],
            address=ADDRESS,
            remark=None,
            idempotency_key="k",
            policy=policy,
        )
    assert refused.value.problems[0].code == "RIGHT_MISSING"
    assert await world() == before
    accepted = await accept(company_member, quote, (product, 10))
    order = await Order.get(id=accepted.order_id)
    assert order.company_id == actor.company_id


async def test_a_product_gone_since_the_offer_is_named(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    quote = await offered_quote(buyer, seller, product, {10: "1.00"})
    await withdraw_seller_products(seller_id=(await seller_actor(seller)).seller_id or 0)
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept(buyer, quote, (product, 10))
    assert [(p.code, p.field) for p in refused.value.problems] == [("NOT_FOUND", "choices.0")]
    assert await world() == before


async def test_the_accepted_orders_lines_and_invoice_carry_the_products_vat_rate(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    book = await make_product(seller, name="Guide du carrelage", vat_rate=Decimal("5.5"))
    cement = await make_product(seller, name="Ciment", stock=500)
    (quote,) = await request_quote(buyer, (book, [10]), (cement, [100]))
    await offer(seller, quote, (book, {10: "11.00"}), (cement, {100: "8.75"}))
    accepted = await accept(buyer, quote, (book, 10), (cement, 100))
    assert accepted.order_id is not None

    rates = (
        await OrderLine.filter(order_id=accepted.order_id)
        .order_by("id")
        .values_list("product_name", "vat_rate")
    )
    assert rates == [("Guide du carrelage", Decimal("5.50")), ("Ciment", None)]
    await ship_order(
        await seller_actor(seller),
        order_id=accepted.order_id,
        carrier="Geodis",
        tracking_number="GE1",
        policy=policy,
    )
    invoice = await Invoice.get(order_id=accepted.order_id, kind=InvoiceKind.INVOICE)
    assert [(line["description"], line["vat_rate"]) for line in invoice.lines] == [
        ("Guide du carrelage", "5.50"),
        ("Ciment", "20.00"),
    ]
