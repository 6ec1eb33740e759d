"""Offers, declines, refusals and expiry, each tried by the wrong caller and with bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from comptoir.jobs import run_once
from comptoir.settings import Settings
from models.accounts import Role
from models.events import Event, EventKind
from models.mail import OutboxMail
from models.quotes import Quote, QuoteStatus, QuoteStatusChange, QuoteTier
from resolvers.actor import ANONYMOUS, Actor
from resolvers.errors import DomainError, Forbidden, Unauthenticated
from resolvers.policy import Policy
from resolvers.quotes import (
    TierPrice,
    decline_quote,
    expire_offered_quotes,
    next_quote_expiry,
    offer_quote,
    refuse_quote,
)
from resolvers.quotes.flow import change_quote
from tests.catalog_helpers import make_product, seller_actor
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.factories import acme_colleagues, login_as
from tests.orders_helpers import actor_of
from tests.quotes_helpers import accept, offer, offered_quote, request_quote, world

Q = QuoteStatus
GRID = {10: "9.50", 100: "8.75"}


def _prices(product_id: int, grid: dict[int, str]) -> list[TierPrice]:
    return [TierPrice(product_id, q, Decimal(p)) for q, p in grid.items()]


async def _offer(
    actor: Actor, quote: Quote, prices: list[TierPrice], valid_until: datetime | None = None
) -> Quote:
    return await offer_quote(
        actor,
        quote_id=quote.id,
        prices=prices,
        valid_until=valid_until or datetime.now(UTC) + timedelta(days=7),
        message=None,
        policy=POLICY,
    )


async def test_an_offer_prices_every_tier_and_is_mailed_to_the_buyer(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, name="Ciment", minimum_quantity=10)
    (quote,) = await request_quote(buyer, (product, [10, 100]))
    until = datetime.now(UTC) + timedelta(days=30)

    offered = await offer_quote(
        await seller_actor(seller),
        quote_id=quote.id,
        prices=_prices(product.id, GRID),
        valid_until=until,
        message="Livraison offerte",
        policy=policy,
    )

    assert offered.status is Q.OFFERED
    row = await Quote.get(id=quote.id)
    assert (row.status, row.valid_until, row.seller_message) == (
        "OFFERED",
        until,
        "Livraison offerte",
    )
    tiers = await QuoteTier.all().order_by("quantity")
    assert [(t.quantity, t.unit_price) for t in tiers] == [
        (10, Decimal("9.50")),
        (100, Decimal("8.75")),
    ]
    mail = await OutboxMail.all().order_by("-id").first()
    assert mail is not None
    assert mail.recipient == "buyer@example.fr"
    assert mail.subject == f"Devis {quote.number} : Offre reçue"
    assert "10 à 9.50 € l'unité, 100 à 8.75 € l'unité" in mail.body
    assert "Livraison offerte" in mail.body
    last = await Event.filter(kind=EventKind.QUOTE_STATUS).order_by("-id").first()
    assert last is not None
    assert last.payload["from"] == "REQUESTED"
    assert last.payload["to"] == "OFFERED"


@pytest.mark.parametrize(
    ("grid", "field"),
    [
        ({10: "9.50"}, "prices"),  # a tier missing
        ({10: "9.50", 100: "8.75", 1000: "8.00"}, "prices"),  # a tier never requested
        ({10: "-0.01", 100: "8.75"}, "prices"),  # negative
        ({10: "9.505", 100: "8.75"}, "prices"),  # below the cent
        ({10: "NaN", 100: "8.75"}, "prices"),
        ({10: "99999999999", 100: "8.75"}, "prices"),  # beyond the column
    ],
)
async def test_bad_prices_are_invalid_input_and_change_nothing(
    buyer: GraphQLClient, seller: GraphQLClient, grid: dict[int, str], field: str
) -> None:
    product = await make_product(seller, minimum_quantity=10)
    (quote,) = await request_quote(buyer, (product, [10, 100]))
    before = await world()
    with pytest.raises(DomainError) as refused:
        await _offer(await seller_actor(seller), quote, _prices(product.id, grid))
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", field)]
    assert await world() == before


async def test_a_tier_priced_twice_or_for_another_product_is_invalid(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    other = await make_product(seller, name="Autre")
    (quote,) = await request_quote(buyer, (product, [10]))
    actor = await seller_actor(seller)
    before = await world()
    for prices in (
        [*_prices(product.id, {10: "1.00"}), *_prices(product.id, {10: "2.00"})],
        _prices(other.id, {10: "1.00"}),
    ):
        with pytest.raises(DomainError) as refused:
            await _offer(actor, quote, prices)
        assert refused.value.problems[0].field == "prices"
    assert await world() == before


@pytest.mark.parametrize("until", [timedelta(seconds=-1), timedelta(days=90, minutes=1)])
async def test_validity_must_be_future_and_within_90_days(
    buyer: GraphQLClient, seller: GraphQLClient, until: timedelta
) -> None:
    product = await make_product(seller)
    (quote,) = await request_quote(buyer, (product, [10]))
    before = await world()
    with pytest.raises(DomainError) as refused:
        await _offer(
            await seller_actor(seller),
            quote,
            _prices(product.id, {10: "1.00"}),
            valid_until=datetime.now(UTC) + until,
        )
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", "validUntil")]
    assert await world() == before


async def test_only_the_quotes_seller_answers_it(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
    policy: Policy,
) -> None:
    product = await make_product(seller)
    (quote,) = await request_quote(buyer, (product, [10]))
    prices = _prices(product.id, {10: "1.00"})
    before = await world()
    wrong_seller = await seller_actor(other_seller)
    for action in (
        _offer(wrong_seller, quote, prices),
        decline_quote(wrong_seller, quote_id=quote.id, reason="Non", policy=policy),
        decline_quote(wrong_seller, quote_id=999, reason="Non", policy=policy),
    ):
        with pytest.raises(DomainError) as refused:
            await action
        assert refused.value.problems[0].code == "NOT_FOUND"
    for actor in (await actor_of(buyer), await actor_of(admin)):
        with pytest.raises(Forbidden):
            await _offer(actor, quote, prices)
        with pytest.raises(Forbidden):
            await decline_quote(actor, quote_id=quote.id, reason="Non", policy=policy)
    with pytest.raises(Unauthenticated):
        await _offer(ANONYMOUS, quote, prices)
    assert await world() == before


async def test_a_decline_needs_a_reason_and_closes_the_request(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    (quote,) = await request_quote(buyer, (product, [10]))
    actor = await seller_actor(seller)
    before = await world()
    with pytest.raises(DomainError) as refused:
        await decline_quote(actor, quote_id=quote.id, reason="  ", policy=policy)
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", "reason")]
    assert await world() == before

    declined = await decline_quote(actor, quote_id=quote.id, reason="Produit arrêté", policy=policy)
    assert declined.status is Q.DECLINED
    mail = await OutboxMail.all().order_by("-id").first()
    assert mail is not None
    assert mail.recipient == "buyer@example.fr"
    assert "Produit arrêté" in mail.body
    before = await world()
    with pytest.raises(DomainError) as refused:
        await _offer(actor, quote, _prices(product.id, {10: "1.00"}))
    assert refused.value.problems[0].code == "INVALID_TRANSITION"
    assert await world() == before


async def test_the_buyer_refuses_an_offer_and_the_seller_is_told(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    quote = await offered_quote(buyer, seller, product, {10: "1.00"})
    before = await world()
    with pytest.raises(DomainError) as refused:
        await refuse_quote(
            await actor_of(other_buyer), quote_id=quote.id, reason=None, policy=policy
        )
    assert refused.value.problems[0].code == "NOT_FOUND"
    with pytest.raises(Forbidden):
        await refuse_quote(
            await seller_actor(seller), quote_id=quote.id, reason=None, policy=policy
        )
    assert await world() == before

    refused_quote = await refuse_quote(
        await actor_of(buyer), quote_id=quote.id, reason="Trop cher", policy=policy
    )
    assert refused_quote.status is Q.REFUSED
    mail = await OutboxMail.all().order_by("-id").first()
    assert mail is not None
    assert mail.recipient == "seller@example.fr"
    assert "Trop cher" in mail.body
    history = (
        await QuoteStatusChange.filter(quote_id=quote.id)
        .order_by("id")
        .values_list("from_status", "to_status", "actor_role", "reason")
    )
    assert history == [
        (None, "REQUESTED", "BUYER", None),
        ("REQUESTED", "OFFERED", "SELLER", None),
        ("OFFERED", "REFUSED", "BUYER", "Trop cher"),
    ]


async def test_a_request_cannot_be_refused_nor_an_offer_offered_again(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    (requested,) = await request_quote(buyer, (product, [10]))
    before = await world()
    with pytest.raises(DomainError) as refused:
        await refuse_quote(await actor_of(buyer), quote_id=requested.id, reason=None, policy=policy)
    assert refused.value.problems[0].code == "INVALID_TRANSITION"
    assert await world() == before
    await offer(seller, requested, (product, {10: "1.00"}))
    before = await world()
    for action in (
        _offer(await seller_actor(seller), requested, _prices(product.id, {10: "0.50"})),
        decline_quote(
            await seller_actor(seller), quote_id=requested.id, reason="Non", policy=policy
        ),
    ):
        with pytest.raises(DomainError) as refused:
            await action
        assert refused.value.problems[0].code == "INVALID_TRANSITION"
    assert await world() == before


async def test_offers_past_their_validity_expire_in_batches_then_cannot_be_accepted(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=100)
    quotes = [await offered_quote(buyer, seller, product, {10: "1.00"}) for _ in range(5)]
    fresh = await offered_quote(buyer, seller, product, {10: "1.00"})
    later = datetime.now(UTC) + timedelta(days=10, seconds=1)
    await Quote.filter(id=fresh.id).update(valid_until=later + timedelta(days=1))

    assert await expire_offered_quotes(policy=policy, now=later, batch=2) == 5
    assert await expire_offered_quotes(policy=policy, now=later, batch=2) == 0

    statuses = dict(await Quote.all().values_list("id", "status"))
    assert [statuses[q.id] for q in quotes] == ["EXPIRED"] * 5
    assert statuses[fresh.id] == "OFFERED"
    (change,) = await QuoteStatusChange.filter(quote_id=quotes[0].id, to_status=Q.EXPIRED)
    assert change.actor_role is None
    assert change.from_status is Q.OFFERED
    mails = [
        str(r)
        for r in await OutboxMail.filter(subject__contains="Offre expirée").values_list(
            "recipient", flat=True
        )
    ]
    assert sorted(set(mails)) == ["buyer@example.fr", "seller@example.fr"]
    assert len(mails) == 10
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept(buyer, quotes[0], (product, 10))
    assert refused.value.problems[0].code == "QUOTE_EXPIRED"
    assert await world() == before


async def test_the_expiry_job_is_next_due_at_the_earliest_end_of_an_offer(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=100)
    await request_quote(buyer, (product, [10]))  # a request has no end yet
    assert await next_quote_expiry() is None
    soon, later = [await offered_quote(buyer, seller, product, {10: "1.00"}) for _ in range(2)]
    end = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    await Quote.filter(id=soon.id).update(valid_until=end)
    await Quote.filter(id=later.id).update(valid_until=end + timedelta(days=1))

    assert await next_quote_expiry() == end
    assert await expire_offered_quotes(policy=policy, now=end - timedelta(seconds=1)) == 0
    assert await expire_offered_quotes(policy=policy, now=end) == 1
    assert await next_quote_expiry() == end + timedelta(days=1)
    assert await expire_offered_quotes(policy=policy, now=end + timedelta(days=1)) == 1
    assert await next_quote_expiry() is None


async def test_an_offer_past_validity_is_expired_for_the_buyer_before_the_job_runs(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    quote = await offered_quote(buyer, seller, product, {10: "1.00"})
    await Quote.filter(id=quote.id).update(valid_until=datetime.now(UTC) - timedelta(seconds=1))
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept(buyer, quote, (product, 10))
    assert refused.value.problems[0].code == "QUOTE_EXPIRED"
    assert await world() == before


async def test_the_platform_alone_expires(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    quote = await offered_quote(buyer, seller, product, {10: "1.00"})
    before = await world()
    for role in (Role.BUYER, Role.SELLER, Role.ADMIN):
        with pytest.raises(DomainError) as refused:
            await change_quote(quote, to=Q.EXPIRED, role=role, actor_account_id=None, policy=policy)
        assert refused.value.problems[0].code == "INVALID_TRANSITION"
    assert await world() == before


async def test_the_jobs_runner_expires_offers(
    buyer: GraphQLClient, seller: GraphQLClient, settings: Settings, policy: Policy
) -> None:
    product = await make_product(seller)
    quote = await offered_quote(buyer, seller, product, {10: "1.00"})
    await Quote.filter(id=quote.id).update(valid_until=datetime.now(UTC) - timedelta(seconds=1))
    done = await run_once(settings, policy=policy)
    assert done["expire_offered_quotes"] == 1
    assert (await Quote.get(id=quote.id)).status is Q.EXPIRED


async def test_refusing_is_for_the_buyer_or_a_colleague_who_may_place_orders(
    http: httpx.AsyncClient, seller: GraphQLClient, admin: GraphQLClient, policy: Policy
) -> None:
    acme = await acme_colleagues(
        boss_rights=["SEE_COMPANY_ORDERS"], peer_rights=["PLACE_ORDERS", "SEE_COMPANY_ORDERS"]
    )
    boss, member, peer = acme.boss, acme.member, acme.peer
    product = await make_product(seller)
    quote = await offered_quote(await login_as(http, member), seller, product, {10: "1.00"})

    async def refuse_as(actor: Actor, reason: str | None = None) -> Quote:
        return await refuse_quote(actor, quote_id=quote.id, reason=reason, policy=policy)

    before = await world()
    with pytest.raises(DomainError) as refused:
        await refuse_as(await actor_of(await login_as(http, boss)))
    assert refused.value.problems[0].code == "RIGHT_MISSING"
    with pytest.raises(Forbidden):
        await refuse_as(await actor_of(admin))
    with pytest.raises(Unauthenticated):
        await refuse_as(ANONYMOUS)
    with pytest.raises(DomainError) as refused:
        await refuse_as(await actor_of(await login_as(http, member)), "x" * 2001)
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", "reason")]
    assert await world() == before
    done = await refuse_as(await actor_of(await login_as(http, peer)), "Budget gelé")
    assert done.status is Q.REFUSED
