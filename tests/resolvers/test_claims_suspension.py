"""Seed 004 on claims: a suspended seller still answers its claims and refunds what it owes."""

from __future__ import annotations

from datetime import UTC, datetime

from models.claims import ClaimStatus
from resolvers.helpdesk import post_message
from tests.claims_helpers import delivered_order, open_claim, received_return, refund_claim
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.orders_helpers import actor_of
from tests.standing_helpers import suspend_shop


async def test_a_suspended_seller_still_answers_a_claim_and_refunds_it(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    claim = await open_claim(buyer, await delivered_order(buyer, seller, 1))
    await suspend_shop(admin, seller)
    seller_actor = await actor_of(seller)
    assert claim.thread_id is not None
    await post_message(
        seller_actor, thread_id=claim.thread_id, body="Renvoyez-la, je rembourse.", policy=POLICY
    )
    await received_return(buyer, seller, claim, at=datetime.now(UTC))
    resolved = await refund_claim(seller, claim)
    assert resolved.status is ClaimStatus.RESOLVED
