"""The seller's 48 business hours (seed 003) on the French market calendar, and `overdue`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.quotes import Quote
from realtime.doorbell import Doorbell
from resolvers.policy import Policy
from resolvers.quotes import add_to_quote_list, is_overdue, send_quote_request
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import actor_of
from tests.quotes_helpers import offer, request_quote

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        # Friday afternoon: 9 h on Friday, the weekend skipped, Monday 24 h, Tuesday 14 July
        # (Fête nationale) skipped, 15 h on Wednesday.
        (paris(2026, 7, 10, 15, 0), paris(2026, 7, 15, 15, 0)),
        # Sent on a Saturday: the clock starts on Monday 00:00 and runs through Tuesday.
        (paris(2026, 12, 5, 11, 0), paris(2026, 12, 9, 0, 0)),
        # Christmas Eve at noon: Christmas Day (Friday) and the weekend do not count.
        (paris(2026, 12, 24, 12, 0), paris(2026, 12, 29, 12, 0)),
        # Across the switch to winter time (25 October 2026), still 48 hours of business days.
        (paris(2026, 10, 23, 9, 0), paris(2026, 10, 27, 9, 0)),
    ],
)
async def test_the_seller_has_48_business_hours(
    buyer: GraphQLClient, seller: GraphQLClient, sent: datetime, due: datetime
) -> None:
    product = await make_product(seller)
    (quote,) = await request_quote(buyer, (product, [10]), now=sent.astimezone(UTC))
    assert quote.respond_by == due.astimezone(UTC)
    assert (await Quote.get(id=quote.id)).respond_by == due.astimezone(UTC)


async def test_the_deadline_follows_the_setting(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    actor = await actor_of(buyer)
    await add_to_quote_list(actor, product_id=product.id, quantities=[1])
    sent = paris(2026, 7, 13, 22, 0).astimezone(UTC)  # Monday 22:00, the eve of 14 July
    (quote,) = await send_quote_request(
        actor,
        remark=None,
        now=sent,
        policy=Policy(doorbell=Doorbell(), quote_response_business_hours=4),
    )
    assert quote.respond_by == paris(2026, 7, 15, 2, 0).astimezone(UTC)


async def test_a_request_past_its_deadline_is_overdue_until_answered(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    (late,) = await request_quote(
        buyer, (product, [10]), now=datetime.now(UTC) - timedelta(days=10)
    )
    (fresh,) = await request_quote(buyer, (product, [10]))
    assert is_overdue(late)
    assert not is_overdue(fresh)
    offered = await offer(seller, late, (product, {10: "1.00"}))
    assert not is_overdue(offered)
