"""The rating: five times the share of judged obligations met on time, kept on the seller."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.accounts import NEUTRAL_STANDING, Role, Seller
from models.catalog import Product, ProductWord
from models.claims import Claim
from models.helpdesk import Message
from realtime.doorbell import Doorbell
from resolvers.deadlines.alerts import raise_deadline_alerts
from resolvers.helpdesk import post_message, response_rates
from resolvers.policy import Policy
from resolvers.standing.rating import (
    propagate_standing,
    rating_of,
    refresh_ratings,
    refresh_stale_ratings,
    standing_of,
)
from tests.catalog_helpers import make_product
from tests.claims_helpers import delivered_order, open_claim, received_return
from tests.clients import GraphQLClient
from tests.factories import make_account
from tests.helpdesk_helpers import actor_of, open_product_thread, seller_of


def test_the_formula() -> None:
    assert rating_of(0, 0) is None
    assert rating_of(3, 4) == 3.8
    assert rating_of(4, 4) == 5.0
    assert rating_of(0, 2) == 0.0
    assert [standing_of(r) for r in (5.0, 3.8, 0.0, None)] == [0, 12, 50, NEUTRAL_STANDING]


async def test_a_new_seller_has_no_rating_and_a_reply_in_time_gives_five(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    shop = await seller_of(seller)
    assert (shop.rating, shop.standing) == (None, NEUTRAL_STANDING)
    thread = await open_product_thread(buyer, seller)
    assert (await Seller.get(id=shop.id)).rating is None  # not judged while within its SLA
    await post_message(
        await actor_of(seller), thread_id=thread.id, body="Oui, tout à fait.", policy=policy
    )
    shop = await Seller.get(id=shop.id)
    assert (shop.rating, shop.standing) == (5.0, 0)
    assert await response_rates([shop.id]) == [1.0]


async def test_a_missed_deadline_lowers_the_rating_once_judged(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    shop = await seller_of(seller)
    long_ago = datetime.now(UTC) - timedelta(days=10)
    late = await open_product_thread(buyer, seller, now=long_ago)
    on_time = await open_product_thread(buyer, seller)
    await post_message(
        await actor_of(seller), thread_id=on_time.id, body="Réponse rapide.", policy=policy
    )
    # One answered in time, one whose deadline has passed unanswered: 5 x 1/2.
    assert (await Seller.get(id=shop.id)).rating == 2.5
    await post_message(
        await actor_of(seller), thread_id=late.id, body="Pardon du retard.", policy=policy
    )
    assert (await Seller.get(id=shop.id)).rating == 2.5
    assert await Message.filter(answered_in_time=False).count() == 1


async def test_the_daily_pass_recomputes_only_stale_ratings(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    shop, other = await seller_of(seller), await seller_of(other_seller)
    now = datetime.now(UTC)
    await refresh_ratings([shop.id, other.id], now=now - timedelta(days=2))
    await Seller.filter(id=other.id).update(rated_at=now)
    assert await refresh_stale_ratings(now=now) == 1
    assert (await Seller.get(id=shop.id)).rated_at == now


async def test_the_daily_pass_clears_a_backlog_in_one_call() -> None:
    now = datetime.now(UTC)
    accounts = [await make_account(Role.SELLER, email=f"boutique{n}@example.fr") for n in range(5)]
    shops = await Seller.filter(account_id__in=[a.id for a in accounts])
    # Two rated long ago, three never: five stale ratings, more than a batch.
    await Seller.filter(id__in=[s.id for s in shops[:2]]).update(rated_at=now - timedelta(days=2))
    assert await refresh_stale_ratings(now=now, batch=2) == 5
    assert {s.rated_at for s in await Seller.all()} == {now}
    assert await refresh_stale_ratings(now=now, batch=2) == 0


async def test_a_backlog_of_changed_standings_moves_in_one_call() -> None:
    accounts = [await make_account(Role.SELLER, email=f"boutique{n}@example.fr") for n in range(3)]
    for account in accounts:
        await make_product(account, name=f"Perceuse {account.id}")
    await Seller.all().update(rating=4.0, standing=10)
    assert await propagate_standing(batch=1) == 3
    assert {p.standing for p in await Product.all()} == {10}
    assert {s.listed_standing for s in await Seller.all()} == {10}
    assert await propagate_standing(batch=1) == 0


async def test_products_follow_their_sellers_standing_in_batches(
    seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    shop = await seller_of(seller)
    mine = [await make_product(seller, name=f"Perceuse {n}") for n in range(3)]
    theirs = await make_product(other_seller, name="Perceuse X")
    await Seller.filter(id=shop.id).update(rating=4.0, standing=10)
    assert await propagate_standing() == 3
    assert {p.standing for p in await Product.filter(seller_id=shop.id)} == {10}
    assert {w.standing for w in await ProductWord.filter(seller_id=shop.id)} == {10}
    assert (await Product.get(id=theirs.id)).standing == NEUTRAL_STANDING
    assert (await Seller.get(id=shop.id)).listed_standing == 10
    assert await propagate_standing() == 0
    # A product listed later copies the seller's current standing.
    later = await make_product(seller, name="Perceuse tardive")
    assert (await Product.get(id=later.id)).standing == 10
    assert len(mine) == 3


async def test_a_claim_answered_in_time_and_refunded_late_counts_one_of_two(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    # 86.4 s of business time to refund a received return.
    policy = Policy(doorbell=Doorbell(), refund_business_days=0.001)
    shop = await seller_of(seller)
    claim = await open_claim(buyer, await delivered_order(buyer, seller, 1))
    assert claim.thread_id is not None
    seller_actor = await actor_of(seller)
    await post_message(seller_actor, thread_id=claim.thread_id, body="Renvoyez-la.", policy=policy)
    assert (await Seller.get(id=shop.id)).rating == 5.0  # the claim answered in time
    await received_return(buyer, seller, claim, policy=policy)
    due = (await Claim.get(id=claim.id)).refund_due_by
    assert due is not None
    await raise_deadline_alerts(policy=policy, now=due - timedelta(seconds=1))
    assert (await Seller.get(id=shop.id)).rating == 5.0  # the refund not judged yet
    # The round that raises REFUND_OVERDUE judges it: one obligation met out of two.
    await raise_deadline_alerts(policy=policy, now=due)
    assert (await Seller.get(id=shop.id)).rating == 2.5


async def test_the_round_raising_sla_overdue_judges_the_reply_at_that_very_instant(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    thread = await open_product_thread(buyer, seller)
    assert thread.response_due_at is not None
    assert thread.seller_id is not None
    await raise_deadline_alerts(policy=policy, now=thread.response_due_at)
    assert (await Seller.get(id=thread.seller_id)).rating == 0.0
