"""`orders(filter, first, after)` over HTTP: who sees what, filters, pages, bad arguments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.orders import Order
from resolvers.pagination import encode_cursor
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import reserve

ORDERS = """query($f: OrderFilter, $first: Int, $after: String) {
  orders(filter: $f, first: $first, after: $after) {
    edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"""


async def _listed(client: GraphQLClient, **variables: object) -> list[str]:
    data = await client.query(ORDERS, **variables)
    return [edge["node"]["id"] for edge in data["orders"]["edges"]]


def gid(order: Order) -> str:
    return encode_id("Order", order.id)


async def test_the_list_answers_by_the_callers_login(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    # Who may see which order is the resolver's rule (tests/resolvers/test_orders_queries.py);
    # here, that the token decides whose list it is.
    product = await make_product(seller)
    (order,) = await reserve(buyer, (product, 1))
    assert await _listed(buyer) == [gid(order)]
    assert await _listed(seller) == [gid(order)]
    assert await _listed(other_buyer) == []


async def test_filters_combine_and_dates_bound_the_creation_time(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    (old,) = await reserve(buyer, (product, 1))
    (recent,) = await reserve(buyer, (product, 1))
    await Order.filter(id=old.id).update(created_at=datetime(2025, 1, 10, 12, tzinfo=UTC))
    await Order.filter(id=recent.id).update(status="VALIDATED")

    assert await _listed(buyer, f={"createdBefore": "2025-02-01T00:00:00+00:00"}) == [gid(old)]
    assert await _listed(buyer, f={"createdAfter": "2025-02-01T00:00:00+00:00"}) == [gid(recent)]
    window = {"createdAfter": "2025-01-10T00:00:00+01:00", "createdBefore": "2025-01-11T00:00:00Z"}
    assert await _listed(buyer, f=window) == [gid(old)]
    assert await _listed(buyer, f={**window, "status": "VALIDATED"}) == []
    assert await _listed(buyer, f={"status": "VALIDATED"}) == [gid(recent)]
    # Without an offset a date is read as UTC, not refused with a server error.
    assert await _listed(buyer, f={"createdBefore": "2025-01-10T12:00:01"}) == [gid(old)]
    backwards = {"createdAfter": "2025-02-01T00:00:00Z", "createdBefore": "2025-01-01T00:00:00Z"}
    assert await buyer.error_codes(ORDERS, f=backwards) == ["INVALID_INPUT"]


async def test_pages_follow_their_cursors_to_the_end(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    ids = [gid((await reserve(buyer, (product, 1)))[0]) for _ in range(5)]
    seen: list[str] = []
    after = None
    while True:
        page = (await buyer.query(ORDERS, first=2, after=after))["orders"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ids[::-1]
    assert len(await _listed(buyer, first=100)) == 5


async def test_bad_page_arguments_are_invalid_input(buyer: GraphQLClient) -> None:
    for variables in (
        {"first": 101},
        {"first": -1},
        {"after": "garbage!"},
        {"after": encode_cursor(["x"])},
        {"after": encode_cursor([2**40])},
        {"after": encode_cursor([True])},
    ):
        assert await buyer.error_codes(ORDERS, **variables) == ["INVALID_INPUT"], variables


async def test_the_list_needs_a_login(anonymous: GraphQLClient) -> None:
    assert await anonymous.error_codes(ORDERS) == ["UNAUTHENTICATED"]


async def test_a_recent_order_is_within_a_window_ending_now(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    (order,) = await reserve(buyer, (product, 1))
    now = datetime.now(UTC)
    window = {
        "createdAfter": (now - timedelta(minutes=5)).isoformat(),
        "createdBefore": (now + timedelta(minutes=5)).isoformat(),
    }
    assert await _listed(buyer, f=window) == [gid(order)]
