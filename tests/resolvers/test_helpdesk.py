"""The helpdesk's visibility rules, as the live-delivery subscriptions call them."""

import pytest

from models.accounts import Role
from models.helpdesk import TicketCategory
from resolvers import helpdesk
from resolvers.actor import ANONYMOUS, Actor
from resolvers.errors import Unauthenticated
from resolvers.pagination import PageRequest
from resolvers.policy import Policy
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import actor_of, open_product_thread


async def test_participants_and_admins_see_a_thread_and_nobody_else(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_buyer: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
) -> None:
    thread = await open_product_thread(buyer, seller)
    for client, sees in (
        (buyer, True),
        (seller, True),
        (admin, True),
        (other_buyer, False),
        (other_seller, False),
    ):
        actor = await actor_of(client)
        assert helpdesk.can_see_thread(actor, thread) is sees
        found = await helpdesk.get_thread(actor, thread_id=thread.id)
        assert (found is not None) is sees
    assert helpdesk.can_see_thread(ANONYMOUS, thread) is False
    with pytest.raises(Unauthenticated):
        await helpdesk.get_thread(ANONYMOUS, thread_id=thread.id)


async def test_a_seller_account_without_a_shop_sees_no_support_ticket(
    buyer: GraphQLClient,
    policy: Policy,
) -> None:
    opened = await helpdesk.open_support_ticket(
        await actor_of(buyer), category=TicketCategory.OTHER, body="Question", policy=policy
    )
    shopless = Actor(account_id=999, role=Role.SELLER, seller_id=None)
    assert helpdesk.can_see_thread(shopless, opened.thread) is False
    assert await helpdesk.get_thread(shopless, thread_id=opened.thread.id) is None


async def test_an_unknown_thread_is_none(buyer: GraphQLClient) -> None:
    assert await helpdesk.get_thread(await actor_of(buyer), thread_id=12345) is None


async def test_a_seller_account_without_a_shop_lists_no_thread(
    buyer: GraphQLClient, policy: Policy
) -> None:
    await helpdesk.open_support_ticket(
        await actor_of(buyer), category=TicketCategory.OTHER, body="Question", policy=policy
    )
    shopless = Actor(account_id=999, role=Role.SELLER, seller_id=None)
    page = await helpdesk.list_threads(shopless, page=PageRequest.of(None, None))
    assert page.items == []
