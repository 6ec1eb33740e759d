"""Anyone browses: one product, search on the name, filters, sorts, pages, comparison."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from models.accounts import Seller
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient

LIST = """
query ($search: String, $filter: ProductFilter, $sort: ProductSort, $first: Int,
       $after: String) {
  products(search: $search, filter: $filter, sort: $sort, first: $first, after: $after) {
    edges { cursor node { name } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def names(client: GraphQLClient, **variables: Any) -> list[str]:
    data = await client.query(LIST, **variables)
    return [e["node"]["name"] for e in data["products"]["edges"]]


async def test_anyone_reads_a_product_and_a_foreign_id_is_null(
    seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    product = await make_product(seller, name="Tuile romane", attributes=[("Couleur", "Rouge")])
    data = await anonymous.query(
        "query ($id: ID!, $other: ID!) { product(id: $id) { name category price"
        " attributes { name value } seller { name } } other: product(id: $other) { id } }",
        id=encode_id("Product", product.id),
        other=encode_id("Seller", 1),
    )
    assert data["product"] == {
        "name": "Tuile romane",
        "category": "Gros œuvre",
        "price": "9.90",
        "attributes": [{"name": "Couleur", "value": "Rouge"}],
        "seller": {"name": "BatiPro"},
    }
    assert data["other"] is None
    missing = await anonymous.query(
        "query ($id: ID!) { product(id: $id) { id } }", id=encode_id("Product", 12345)
    )
    assert missing["product"] is None
    assert await anonymous.error_codes('{ product(id: "@@@") { id } }') == ["INVALID_INPUT"]


async def test_search_ignores_case_and_accents_and_matches_word_starts(
    seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await make_product(seller, name="Treillis béton armé ST25C")
    await make_product(seller, name="Perceuse-visseuse 18 V")
    await make_product(seller, name="Ciment gris", brand="Perceval")
    assert await names(anonymous, search="beton") == ["Treillis béton armé ST25C"]
    assert await names(anonymous, search="BÉTO arm") == ["Treillis béton armé ST25C"]
    assert await names(anonymous, search="PERC") == ["Perceuse-visseuse 18 V"]
    assert await names(anonymous, search="visseuse") == ["Perceuse-visseuse 18 V"]
    assert await names(anonymous, search="  18   perc ") == ["Perceuse-visseuse 18 V"]
    assert await names(anonymous, search="perceuse-visseuse") == ["Perceuse-visseuse 18 V"]
    assert await names(anonymous, search="eton") == []  # inside a word, not a word start
    assert await names(anonymous, search="beton perceuse") == []  # every term must match
    assert await names(anonymous, search="perceval") == []  # the brand is never searched


async def test_a_search_is_cut_into_words_as_names_are_and_percent_is_literal(
    seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await make_product(seller, name="Sable 0/4")
    await make_product(seller, name="Gravier 6/10")
    await make_product(seller, name="Ciment 100% naturel")
    await make_product(seller, name="Chaux 1000 sacs")
    assert await names(anonymous, search="100%") == ["Chaux 1000 sacs", "Ciment 100% naturel"]
    assert await names(anonymous, search="ciment 100%") == ["Ciment 100% naturel"]
    assert await names(anonymous, search="%") == []
    assert await names(anonymous, search="_") == []
    # Never a wildcard: "s%" is the word start "s", and "%s" does not mean "ends with s".
    assert await names(anonymous, search="s%") == ["Chaux 1000 sacs", "Sable 0/4"]
    assert await names(anonymous, search="%sa") == ["Chaux 1000 sacs", "Sable 0/4"]
    assert await names(anonymous, search="g%l") == []
    assert await names(anonymous, search="sable 0_4") == ["Sable 0/4"]
    assert await names(anonymous, search="sable 0/4") == ["Sable 0/4"]
    assert len(await names(anonymous, search="")) == 4


async def test_filters_combine_with_and(
    seller: GraphQLClient, other_seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await make_product(
        seller,
        name="Alim A 24 V",
        category="Alimentations",
        price="40.00",
        attributes=[("Tension de sortie", "24 V"), ("Montage", "Rail DIN")],
        delivery_zones=["75", "92"],
    )
    await make_product(
        seller,
        name="Alim B 12 V",
        category="Alimentations",
        price="25.00",
        attributes=[("Tension de sortie", "12 V"), ("Montage", "Rail DIN")],
        delivery_zones=["69"],
        stock=0,
    )
    await make_product(
        seller, name="Perceuse C", category="Outillage", price="99.00", delivery_zones=["7"]
    )
    await make_product(
        other_seller,
        name="Alim D 24 V",
        category="Alimentations",
        price="60.00",
        attributes=[("Tension de sortie", "24 V")],
        delivery_zones=["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    )
    other_shop = await Seller.get(account_id=other_seller.account_id)

    async def filtered(**f: Any) -> list[str]:
        return sorted(await names(anonymous, filter=f))

    assert await filtered(category="Alimentations") == ["Alim A 24 V", "Alim B 12 V", "Alim D 24 V"]
    assert await filtered(sellerId=encode_id("Seller", other_shop.id)) == ["Alim D 24 V"]
    assert await filtered(minPrice="30", maxPrice="60.00") == ["Alim A 24 V", "Alim D 24 V"]
    assert await filtered(inStock=True, category="Alimentations") == ["Alim A 24 V", "Alim D 24 V"]
    assert await filtered(deliverableTo="75011") == ["Alim A 24 V", "Alim D 24 V", "Perceuse C"]
    assert await filtered(deliverableTo="69003") == ["Alim B 12 V", "Alim D 24 V"]
    assert await filtered(attributes=[{"name": "tension de sortie", "value": "24 v"}]) == [
        "Alim A 24 V",
        "Alim D 24 V",
    ]
    assert await filtered(
        attributes=[
            {"name": "Tension de sortie", "value": "24 V"},
            {"name": "Montage", "value": "Rail DIN"},
        ]
    ) == ["Alim A 24 V"]
    assert await names(
        anonymous,
        search="alim",
        filter={
            "category": "Alimentations",
            "inStock": True,
            "maxPrice": "50",
            "deliverableTo": "92100",
        },
    ) == ["Alim A 24 V"]
    assert await filtered(category="Inconnue") == []


async def test_sorts_are_stable_and_pages_follow_each_other(
    seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    prices = ["5.00", "12.00", "5.00", "30.00", "12.00", "5.00", "7.50"]
    for n, price in enumerate(prices):
        await make_product(seller, name=f"Éponge {n}" if n % 2 else f"eponge {n}", price=price)

    async def walk(sort: str) -> list[str]:
        seen: list[str] = []
        after = None
        while True:
            data = await anonymous.query(LIST, sort=sort, first=3, after=after)
            seen += [e["node"]["name"] for e in data["products"]["edges"]]
            if not data["products"]["pageInfo"]["hasNextPage"]:
                return seen
            after = data["products"]["pageInfo"]["endCursor"]

    by_name = await walk("NAME_ASC")
    assert by_name == [f"Éponge {n}" if n % 2 else f"eponge {n}" for n in range(7)]
    by_price = await walk("PRICE_ASC")
    assert [prices[int(n.split()[1])] for n in by_price] == sorted(prices, key=float)
    # Ties are broken by id: the three 5.00 products come in creation order.
    assert by_price[:3] == ["eponge 0", "eponge 2", "Éponge 5"]
    by_price_desc = await walk("PRICE_DESC")
    assert by_price_desc[0] == "Éponge 3"
    assert by_price_desc[-1] == "eponge 0"
    newest = await walk("NEWEST")
    assert newest == list(reversed(by_name))


async def test_bad_listing_arguments_are_coded_errors(anonymous: GraphQLClient) -> None:
    assert await anonymous.error_codes(LIST, first=101) == ["INVALID_INPUT"]
    assert await anonymous.error_codes(LIST, first=-1) == ["INVALID_INPUT"]
    assert await anonymous.error_codes(LIST, after="not-a-cursor!!") == ["INVALID_INPUT"]
    assert await anonymous.error_codes(LIST, after="WzFd") == ["INVALID_INPUT"]  # "[1]"
    assert await anonymous.error_codes(LIST, filter={"minPrice": "-1"}) == ["INVALID_INPUT"]
    assert await anonymous.error_codes(LIST, filter={"deliverableTo": "75 0%"}) == ["INVALID_INPUT"]
    assert await anonymous.error_codes(LIST, filter={"sellerId": "???"}) == ["INVALID_INPUT"]


async def test_a_cursor_of_another_sort_is_refused(
    seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    for n in range(3):
        await make_product(seller, name=f"Parpaing {n}")
    data = await anonymous.query(LIST, first=1, sort="PRICE_ASC")
    cursor = data["products"]["pageInfo"]["endCursor"]
    assert await anonymous.error_codes(LIST, first=1, sort="NAME_ASC", after=cursor) == [
        "INVALID_INPUT"
    ]


async def test_compare_keeps_the_order_and_leaves_unknown_ids_out(
    seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    a = await make_product(seller, name="A")
    b = await make_product(seller, name="B")
    ids = [encode_id("Product", b.id), encode_id("Product", 999), encode_id("Product", a.id)]
    data = await anonymous.query(
        "query ($ids: [ID!]!) { compareProducts(ids: $ids) { name } }", ids=ids
    )
    assert data["compareProducts"] == [{"name": "B"}, {"name": "A"}]


async def test_comparing_more_than_three_products_is_too_many(
    seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    ids = [encode_id("Product", (await make_product(seller, name=f"P{n}")).id) for n in range(4)]
    assert await anonymous.error_codes(
        "query ($ids: [ID!]!) { compareProducts(ids: $ids) { name } }", ids=ids
    ) == ["TOO_MANY_ITEMS"]


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements = 0

    def emit(self, record: logging.LogRecord) -> None:
        # The live hub reads the event log on its own clock; those reads are not this request's.
        if '"event"' not in record.getMessage():
            self.statements += 1


@contextmanager
def counting_queries() -> Iterator[_Counter]:
    logger = logging.getLogger("tortoise.db_client")
    counter, level = _Counter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


async def test_a_page_costs_the_same_number_of_queries_for_5_or_100_products(
    seller: GraphQLClient, other_seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    document = """query ($first: Int) { products(first: $first) { edges { node {
        name price seller { name } attributes { name value } deliverableTo(postalCode: "75011")
    } } } }"""
    for n in range(100):
        await make_product(
            seller if n % 2 else other_seller,
            name=f"Produit {n:03d}",
            attributes=[("Lot", str(n)), ("Couleur", "Gris")],
        )
    with counting_queries() as small:
        data = await anonymous.query(document, first=5)
    assert len(data["products"]["edges"]) == 5
    with counting_queries() as large:
        data = await anonymous.query(document, first=100)
    assert len(data["products"]["edges"]) == 100
    assert large.statements == small.statements <= 4


async def test_a_page_reads_its_sellers_in_one_query_and_only_when_asked(
    seller: GraphQLClient, other_seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    for n in range(6):
        await make_product(seller if n % 2 else other_seller, name=f"Produit {n}")
    with_sellers = """{ products(first: 6) { edges { node { name ...shop } } } }
        fragment shop on Product { seller { name } }"""
    with counting_queries() as counted:
        data = await anonymous.query(with_sellers)
    assert {e["node"]["seller"]["name"] for e in data["products"]["edges"]} == {
        "BatiPro",
        (await Seller.get(account_id=other_seller.account_id)).name,
    }
    assert counted.statements == 2
    with counting_queries() as counted:
        await anonymous.query("{ products(first: 6) { edges { node { name } } } }")
    assert counted.statements == 1


async def test_a_search_in_stock_skips_long_runs_of_sold_out_products(
    seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    for n in range(40):
        await make_product(seller, name=f"Vis inox {n:02d}", stock=0 if n < 33 else 10)
    assert await names(anonymous, search="vis", filter={"inStock": True}, first=2) == [
        "Vis inox 33",
        "Vis inox 34",
    ]
    assert await names(anonymous, search="vis", filter={"inStock": True}, first=20) == [
        f"Vis inox {n}" for n in range(33, 40)
    ]
    data = await anonymous.query(LIST, search="vis", filter={"inStock": True}, first=3)
    after = data["products"]["pageInfo"]["endCursor"]
    assert await names(anonymous, search="vis", filter={"inStock": True}, first=3, after=after) == [
        "Vis inox 36",
        "Vis inox 37",
        "Vis inox 38",
    ]
