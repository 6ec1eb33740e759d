"""Listing threads costs the same number of SQL queries for 2 threads as for 8."""

import logging

import pytest

from resolvers import helpdesk
from resolvers.policy import Policy
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import actor_of, open_product_thread

INBOX = """{ threads(first: 50) { edges { node {
  id subject overdue unreadCount flagged responseDueAt
  buyer { id } seller { id name responseRate } product { id name } order { id }
  messages(first: 5) { edges { node { id author { id } authorRole readAt } } }
} } } }"""


async def queries_for(client: GraphQLClient, caplog: pytest.LogCaptureFixture) -> int:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        await client.query(INBOX)
    # The live-delivery catch-up tick reads the event log in the background: not ours.
    return len(
        [
            r
            for r in caplog.records
            if r.name == "tortoise.db_client" and '"event"' not in r.getMessage()
        ]
    )


async def test_the_inbox_costs_a_constant_number_of_queries(
    buyer: GraphQLClient, seller: GraphQLClient, caplog: pytest.LogCaptureFixture, policy: Policy
) -> None:
    for _ in range(2):
        thread = await open_product_thread(buyer, seller)
        await helpdesk.post_message(
            await actor_of(seller), thread_id=thread.id, body="Oui", policy=policy
        )
    few = await queries_for(seller, caplog)
    for _ in range(6):
        thread = await open_product_thread(buyer, seller)
        await helpdesk.post_message(
            await actor_of(seller), thread_id=thread.id, body="Oui", policy=policy
        )
    assert await queries_for(seller, caplog) <= few
