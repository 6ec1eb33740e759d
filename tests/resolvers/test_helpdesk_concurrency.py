"""Messages racing in one thread leave its SLA columns as a fresh computation would."""

import asyncio

from models.helpdesk import Message, Thread
from resolvers import helpdesk
from resolvers.helpdesk.sla import earliest_deadline
from resolvers.policy import Policy
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import actor_of, open_product_thread


async def test_racing_buyer_and_seller_messages_keep_the_deadline_consistent(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    thread = await open_product_thread(buyer, seller)
    buyer_actor, seller_actor = await actor_of(buyer), await actor_of(seller)
    posts = [
        helpdesk.post_message(
            buyer_actor if i % 2 else seller_actor,
            thread_id=thread.id,
            body=f"message {i}",
            policy=policy,
        )
        for i in range(12)
    ]
    await asyncio.gather(*posts)
    stored = await Thread.get(id=thread.id)
    assert stored.response_due_at == await earliest_deadline(thread.id)
    last_reply = (
        await Message.filter(thread_id=thread.id, author_role="SELLER").order_by("-id").first()
    )
    assert last_reply is not None
    # Exactly the buyer messages written after the last reply are still waiting for one.
    waiting = await Message.filter(
        thread_id=thread.id, author_role="BUYER", answered_at__isnull=True
    ).values_list("id", flat=True)
    after_reply = await Message.filter(
        thread_id=thread.id, author_role="BUYER", id__gt=last_reply.id
    ).values_list("id", flat=True)
    assert sorted(waiting) == sorted(after_reply)
    assert await Message.filter(thread_id=thread.id).count() == 13
