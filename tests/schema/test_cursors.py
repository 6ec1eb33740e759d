"""Tampered cursors are the client's mistake: INVALID_INPUT, never a database error."""

from __future__ import annotations

import pytest

from resolvers.pagination import encode_cursor
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import gid, open_product_thread

HUGE = 2**40


@pytest.mark.parametrize(
    "key", [["NAME_ASC", "a", HUGE], ["PRICE_ASC", 2**70, 1], ["NEWEST", HUGE], ["NEWEST", "1"]]
)
async def test_a_tampered_product_cursor_is_invalid_input(
    anonymous: GraphQLClient, key: list[object]
) -> None:
    query = "query($after: String) { products(after: $after) { edges { cursor } } }"
    assert await anonymous.error_codes(query, after=encode_cursor(key)) == ["INVALID_INPUT"]


async def test_a_tampered_product_search_cursor_is_invalid_input(anonymous: GraphQLClient) -> None:
    query = (
        'query($after: String) { products(search: "beton", after: $after) { edges { cursor } } }'
    )
    codes = await anonymous.error_codes(query, after=encode_cursor(["NAME_ASC", "b", HUGE]))
    assert codes == ["INVALID_INPUT"]


@pytest.mark.parametrize("key", [["2026-01-01T00:00:00+00:00", HUGE], [HUGE]])
async def test_a_tampered_thread_cursor_is_invalid_input(
    buyer: GraphQLClient, key: list[object]
) -> None:
    query = "query($after: String) { threads(after: $after) { edges { cursor } } }"
    assert await buyer.error_codes(query, after=encode_cursor(key)) == ["INVALID_INPUT"]


async def test_a_tampered_message_cursor_is_invalid_input(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    query = (
        "query($id: ID!, $after: String) { thread(id: $id) "
        "{ messages(after: $after) { edges { cursor } } } }"
    )
    codes = await buyer.error_codes(query, id=gid("Thread", thread.id), after=encode_cursor([HUGE]))
    assert codes == ["INVALID_INPUT"]
