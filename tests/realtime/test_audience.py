"""The audience of a live stream is the query side's visibility rule, case by case."""

from __future__ import annotations

import itertools

from models.accounts import CompanyRight, Role
from models.events import Event, EventKind
from models.helpdesk import Thread
from models.orders import Order
from realtime.log import append_event, atomic
from resolvers.actor import Actor
from resolvers.helpdesk import can_see_thread
from resolvers.live import message_events_audience, order_events_audience
from resolvers.orders import can_see_order
from tests.configuration import POLICY

COMPANY = 10
VIEWERS = [
    Actor(account_id=1, role=Role.BUYER),
    Actor(account_id=2, role=Role.BUYER),
    Actor(
        account_id=3,
        role=Role.BUYER,
        company_id=COMPANY,
        rights=frozenset({CompanyRight.SEE_COMPANY_ORDERS}),
    ),
    Actor(
        account_id=4,
        role=Role.BUYER,
        company_id=COMPANY,
        rights=frozenset({CompanyRight.PLACE_ORDERS}),
    ),
    Actor(account_id=5, role=Role.SELLER, seller_id=1),
    Actor(account_id=6, role=Role.SELLER, seller_id=2),
    Actor(account_id=7, role=Role.ADMIN),
]


async def test_order_events_reach_exactly_those_who_may_see_the_order() -> None:
    for viewer in VIEWERS:
        audience = await order_events_audience(viewer, order_id=None)
        for buyer_id, seller_id in itertools.product((1, 2, 3, 4), (1, 2)):
            company_id = COMPANY if buyer_id in (3, 4) else None
            order = Order(id=1, buyer_id=buyer_id, seller_id=seller_id, company_id=company_id)
            event = Event(
                id=1,
                kind=EventKind.ORDER_STATUS,
                order_id=1,
                buyer_id=buyer_id,
                seller_id=seller_id,
                company_id=company_id,
            )
            assert audience.admits(event) == can_see_order(viewer, order), (viewer, order)


async def test_message_events_reach_exactly_the_threads_participants_and_admins() -> None:
    for viewer in VIEWERS:
        audience = await message_events_audience(viewer, thread_id=None)
        for buyer_id, seller_id in itertools.product((1, 2, 3), (1, 2, None)):
            thread = Thread(id=1, buyer_id=buyer_id, seller_id=seller_id)
            event = Event(
                id=1, kind=EventKind.MESSAGE, thread_id=1, buyer_id=buyer_id, seller_id=seller_id
            )
            assert audience.admits(event) == can_see_thread(viewer, thread), (viewer, thread)


async def test_a_stream_of_one_kind_never_admits_the_other_kind() -> None:
    audience = await order_events_audience(VIEWERS[-1], order_id=None)
    assert not audience.admits(Event(id=1, kind=EventKind.MESSAGE, thread_id=1, buyer_id=1))


async def test_replaying_the_log_reads_exactly_the_events_live_routing_admits() -> None:
    async with atomic():
        for buyer_id, seller_id, kind in itertools.product((1, 2, 3, 4), (1, 2, None), EventKind):
            company_id = COMPANY if buyer_id in (3, 4) else None
            await append_event(
                kind,
                {},
                doorbell=POLICY.doorbell,
                buyer_id=buyer_id,
                seller_id=seller_id,
                company_id=company_id,
                order_id=buyer_id,
                thread_id=buyer_id,
            )
    events = await Event.all().order_by("id")
    for viewer in VIEWERS:
        audiences = [
            await order_events_audience(viewer, order_id=None),
            await message_events_audience(viewer, thread_id=None),
        ]
        for audience in audiences:
            replayed = [e.id for e in await Event.filter(audience.where()).order_by("id")]
            assert replayed == [e.id for e in events if audience.admits(e)], (viewer, audience)
