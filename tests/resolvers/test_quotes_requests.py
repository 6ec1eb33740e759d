"""The quote list and sending it: validation, one quote per seller, deadline, mail, event."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from models.events import Event, EventKind
from models.mail import OutboxMail
from models.quotes import QuoteLine, QuoteListLine, QuoteStatusChange, QuoteTier
from resolvers.actor import ANONYMOUS, Actor
from resolvers.errors import DomainError, Forbidden, Unauthenticated
from resolvers.policy import Policy
from resolvers.quotes import (
    add_to_quote_list,
    get_quote_list,
    remove_from_quote_list,
    send_quote_request,
)
from tests.catalog_helpers import make_product, seller_actor
from tests.clients import GraphQLClient
from tests.orders_helpers import actor_of
from tests.quotes_helpers import request_quote, world

PARIS = "Europe/Paris"


async def test_the_list_keeps_sorted_quantities_per_product_and_replaces_them(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    cement = await make_product(seller, minimum_quantity=10)
    sand = await make_product(seller, name="Sable 0/4")
    actor = await actor_of(buyer)
    await add_to_quote_list(actor, product_id=cement.id, quantities=[500, 10, 100])
    await add_to_quote_list(actor, product_id=sand.id, quantities=[1])
    view = await add_to_quote_list(actor, product_id=cement.id, quantities=[50, 20])
    assert [(line.product.id, line.quantities) for line in view.lines] == [
        (cement.id, [20, 50]),
        (sand.id, [1]),
    ]
    view = await remove_from_quote_list(actor, product_id=cement.id)
    assert [(line.product.id, line.quantities) for line in view.lines] == [(sand.id, [1])]
    assert (await get_quote_list(actor)).lines == view.lines


@pytest.mark.parametrize(
    ("quantities", "code"),
    [
        ([], "INVALID_INPUT"),
        ([10, 20, 30, 40, 50, 60], "INVALID_INPUT"),
        ([10, 10], "INVALID_INPUT"),
        ([0, 10], "INVALID_INPUT"),
        ([-5], "INVALID_INPUT"),
        ([9, 100], "BELOW_MINIMUM_QUANTITY"),
    ],
)
async def test_bad_quantities_are_refused_and_change_nothing(
    buyer: GraphQLClient, seller: GraphQLClient, quantities: list[int], code: str
) -> None:
    product = await make_product(seller, minimum_quantity=10)
    actor = await actor_of(buyer)
    await add_to_quote_list(actor, product_id=product.id, quantities=[10])
    before = await world()
    with pytest.raises(DomainError) as refused:
        await add_to_quote_list(actor, product_id=product.id, quantities=quantities)
    assert [(p.code, p.field) for p in refused.value.problems] == [(code, "quantities")]
    assert await world() == before


async def test_an_unknown_product_is_not_found(buyer: GraphQLClient) -> None:
    actor = await actor_of(buyer)
    for action in (
        add_to_quote_list(actor, product_id=999, quantities=[1]),
        remove_from_quote_list(actor, product_id=999),
    ):
        with pytest.raises(DomainError) as refused:
            await action
        assert refused.value.problems[0].code == "NOT_FOUND"
    assert await QuoteListLine.all().count() == 0


Call = Callable[[Actor], Awaitable[object]]


@pytest.mark.parametrize("name", ["add", "remove", "send", "read"])
async def test_only_buyers_have_a_quote_list(
    seller: GraphQLClient, admin: GraphQLClient, buyer: GraphQLClient, name: str, policy: Policy
) -> None:
    product = await make_product(seller)
    await request_quote(buyer, (product, [5]))
    await add_to_quote_list(await actor_of(buyer), product_id=product.id, quantities=[1])
    calls: dict[str, Call] = {
        "add": lambda a: add_to_quote_list(a, product_id=product.id, quantities=[1]),
        "remove": lambda a: remove_from_quote_list(a, product_id=product.id),
        "send": lambda a: send_quote_request(a, remark=None, policy=policy),
        "read": get_quote_list,
    }
    before = await world()
    with pytest.raises(Unauthenticated):
        await calls[name](ANONYMOUS)
    for client in (seller, admin):
        with pytest.raises(Forbidden):
            await calls[name](await actor_of(client))
    assert await world() == before


async def test_each_buyer_has_their_own_list(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    await add_to_quote_list(await actor_of(buyer), product_id=product.id, quantities=[3])
    other = await actor_of(other_buyer)
    assert (await get_quote_list(other)).lines == []
    # Removing from one's own list never touches another's.
    await remove_from_quote_list(other, product_id=product.id)
    before = await world()
    with pytest.raises(DomainError) as refused:
        await send_quote_request(other, remark=None, policy=policy)
    assert refused.value.problems[0].code == "QUOTE_LIST_EMPTY"
    assert await world() == before
    assert await QuoteListLine.all().count() == 1


async def test_sending_makes_one_quote_per_seller_and_empties_the_list(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    cement = await make_product(seller, minimum_quantity=10)
    drill = await make_product(other_seller, name="Perceuse")
    sand = await make_product(seller, name="Sable 0/4")
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday

    first, second = await request_quote(
        buyer,
        (cement, [100, 10, 1000]),
        (drill, [2]),
        (sand, [30]),
        remark="Chantier de Vincennes",
        now=now,
    )

    assert [q.seller_id for q in (first, second)] == [cement.seller_id, drill.seller_id]
    assert all(re.fullmatch(r"DEV-2026-\d{6}", q.number) for q in (first, second))
    assert {q.status for q in (first, second)} == {"REQUESTED"}
    assert first.remark == "Chantier de Vincennes"
    assert first.company_id is None
    assert first.respond_by == datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    lines = await QuoteLine.filter(quote_id=first.id).order_by("id")
    assert [(line.product_id, line.product_name) for line in lines] == [
        (cement.id, cement.name),
        (sand.id, "Sable 0/4"),
    ]
    tiers = await QuoteTier.filter(line_id=lines[0].id).order_by("quantity")
    assert [(t.quantity, t.unit_price) for t in tiers] == [(10, None), (100, None), (1000, None)]
    assert await QuoteListLine.all().count() == 0
    history = (
        await QuoteStatusChange.all()
        .order_by("id")
        .values_list("quote_id", "from_status", "to_status", "actor_role")
    )
    assert history == [
        (first.id, None, "REQUESTED", "BUYER"),
        (second.id, None, "REQUESTED", "BUYER"),
    ]
    mails = await OutboxMail.all().order_by("id")
    assert [m.recipient for m in mails] == ["seller@example.fr", "other.seller@example.fr"]
    assert mails[0].subject == f"Nouvelle demande de devis {first.number}"
    assert "10, 100, 1000" in mails[0].body
    assert "Chantier de Vincennes" in mails[0].body
    assert "09/12/2026 10:00" in mails[0].body  # the deadline, in market time
    events = await Event.filter(kind=EventKind.QUOTE_STATUS).order_by("id")
    assert [(e.quote_id, e.buyer_id, e.seller_id, e.payload["to"]) for e in events] == [
        (first.id, buyer.account_id, first.seller_id, "REQUESTED"),
        (second.id, buyer.account_id, second.seller_id, "REQUESTED"),
    ]


async def test_the_remark_is_bounded(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    actor = await actor_of(buyer)
    await add_to_quote_list(actor, product_id=product.id, quantities=[1])
    before = await world()
    with pytest.raises(DomainError) as refused:
        await send_quote_request(actor, remark="x" * 2001, policy=policy)
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", "remark")]
    assert await world() == before


async def test_a_company_members_request_belongs_to_the_company(
    company_member: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    (quote,) = await request_quote(company_member, (product, [5]))
    assert quote.company_id == (await actor_of(company_member)).company_id
    assert quote.buyer_id == company_member.account_id


async def test_a_seller_cannot_use_its_own_shop_as_a_buyer(seller: GraphQLClient) -> None:
    product = await make_product(seller)
    with pytest.raises(Forbidden):
        await add_to_quote_list(await seller_actor(seller), product_id=product.id, quantities=[1])
