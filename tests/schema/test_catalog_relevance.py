"""RELEVANCE: the searched word itself first, then better-standing sellers, then id."""

from __future__ import annotations

from typing import Any

from models.accounts import Seller
from resolvers.pagination import encode_cursor
from resolvers.standing.rating import propagate_standing
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.standing_helpers import SUSPEND, shop_gid

LIST = """
query($search: String, $first: Int, $after: String, $filter: ProductFilter) {
  products(search: $search, sort: RELEVANCE, first: $first, after: $after, filter: $filter) {
    edges { cursor node { name seller { name rating } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def walk(client: GraphQLClient, first: int, **variables: Any) -> list[str]:
    """Every name, page by page."""
    names: list[str] = []
    after = None
    while True:
        data = (await client.query(LIST, first=first, after=after, **variables))["products"]
        names += [e["node"]["name"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            return names
        after = data["pageInfo"]["endCursor"]


async def rate(client: GraphQLClient, rating: float) -> None:
    """Give the seller a rating and let its products follow (as the jobs do)."""
    standing = round((5 - rating) * 10)
    await Seller.filter(account_id=client.account_id).update(rating=rating, standing=standing)
    await propagate_standing()


async def test_the_word_itself_comes_first_then_the_sellers_standing_then_id(
    seller: GraphQLClient, other_seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await make_product(seller, name="Perceuses en lot")
    await make_product(seller, name="Perceuse A")
    await make_product(other_seller, name="Perceuse B")
    await make_product(other_seller, name="Perceuses C")
    await make_product(other_seller, name="Perceuse et perceuses D")
    await make_product(seller, name="Visseuse")
    await rate(other_seller, 4.5)
    expected = [
        "Perceuse B",
        "Perceuse et perceuses D",
        "Perceuse A",  # the word itself
        "Perceuses C",
        "Perceuses en lot",
    ]  # a longer word
    for size in (1, 2, 3, 20):
        assert await walk(anonymous, size, search="perceuse") == expected
    await rate(seller, 5.0)
    assert await walk(anonymous, 2, search="perceuse") == [
        "Perceuse A",
        "Perceuse B",
        "Perceuse et perceuses D",
        "Perceuses en lot",
        "Perceuses C",
    ]
    # Filters and other terms combine with the order.
    assert await walk(anonymous, 1, search="perc d") == ["Perceuse et perceuses D"]
    sid = await shop_gid(other_seller)
    assert await walk(anonymous, 1, search="perceuse", filter={"sellerId": sid}) == [
        "Perceuse B",
        "Perceuse et perceuses D",
        "Perceuses C",
    ]


async def test_without_a_search_the_sellers_standing_orders_the_catalog(
    seller: GraphQLClient, other_seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    for name in ("Tuile", "Brique"):
        await make_product(seller, name=name)
    await make_product(other_seller, name="Sable")
    await rate(other_seller, 4.0)
    await rate(seller, 1.0)
    assert await walk(anonymous, 1) == ["Sable", "Tuile", "Brique"]
    data = await anonymous.query(LIST, first=1)
    assert data["products"]["edges"][0]["node"]["seller"] == {"name": "ElecRecond", "rating": 4.0}


async def test_suspended_sellers_stay_out_of_relevance_pages(
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    anonymous: GraphQLClient,
    admin: GraphQLClient,
) -> None:
    await make_product(seller, name="Perceuse A")
    await make_product(other_seller, name="Perceuse B")
    await admin.mutate_ok(SUSPEND, s=await shop_gid(seller), days=2, reason="Retards")
    assert await walk(anonymous, 1, search="perceuse") == ["Perceuse B"]
    assert await walk(anonymous, 1) == ["Perceuse B"]
    assert sorted(await walk(seller, 1, search="perceuse")) == ["Perceuse A", "Perceuse B"]


async def test_a_tampered_relevance_cursor_is_invalid_input(anonymous: GraphQLClient) -> None:
    for key in (
        ["RELEVANCE", 2, 0, 1],
        ["RELEVANCE", 0, "a", 1],
        ["NAME_ASC", "x", 1],
        ["RELEVANCE", 0, 0, 2**40],
    ):
        codes = await anonymous.error_codes(LIST, search="perceuse", after=encode_cursor(key))
        assert codes == ["INVALID_INPUT"], key
