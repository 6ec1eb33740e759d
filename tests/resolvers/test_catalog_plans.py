"""Search and every filter are answered from an index, on SQLite and on PostgreSQL.

The plan must name the index meant for each case.  PostgreSQL prefers a sequential scan on
a table this small, so its planner is told to avoid one (`enable_seqscan = off`, and
`enable_sort = off`): the test then shows which index it can use, which is what it picks on
100,000 rows (checked with EXPLAIN ANALYZE on the bench's catalog).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts import Role, Seller
from resolvers.actor import ANONYMOUS
from resolvers.catalog.conditions import ProductFilter
from resolvers.catalog.listing import ProductSort, list_sql
from resolvers.catalog.products import for_dialect
from resolvers.catalog.visibility import visibility_for
from tests.catalog_helpers import make_product
from tests.factories import make_account


@pytest.fixture
async def shelves() -> int:
    account = await make_account(Role.SELLER, email="plans@example.fr", shop_name="Plans")
    other = await make_account(Role.SELLER, email="autre@example.fr", shop_name="Autre")
    for n in range(40):
        await make_product(
            # The filtered seller holds a quarter of the shelf, as the filtered category does.
            account if n % 4 == 1 else other,
            name=f"Alimentation rail DIN {n} W",
            price=f"{n + 5}.00",
            # A category of a quarter of the shelf: selective enough that walking the
            # whole price index and filtering can never look as cheap as its own index.
            category="Outillage" if n % 4 == 0 else "Alimentations",
            attributes=[("Tension de sortie", f"{12 * (n % 4 + 1)} V")],
            delivery_zones=["75", "69"] if n % 3 else ["0", "1", "6"],
        )
    return (await Seller.get(account_id=account.id)).id


async def plan(
    sort: ProductSort, *, search: str | None = None, after: list[Any] | None = None, **filters: Any
) -> str:
    # As anonymous callers see it: with the suspended sellers left out.
    statement = list_sql(
        search=search,
        filters=ProductFilter(**filters),
        sort=sort,
        after=after,
        limit=21,
        visibility=visibility_for(ANONYMOUS),
    )
    assert statement is not None
    sql, params = statement
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    if dialect == "postgres":
        # The statistics autovacuum left from earlier tests' rows describe another table:
        # with them the planner once walked the price index for a category filter.
        for table in ("product", "product_word", "product_attribute", "delivery_zone", "seller"):
            await conn.execute_query(f"ANALYZE {table}")
        async with in_transaction() as tx:
            await tx.execute_query("SET LOCAL enable_seqscan = off")
            # Statistics of a 40-row table swing between tests; on 100,000 rows a sort of a
            # large range loses to the index walk anyway.
            await tx.execute_query("SET LOCAL enable_sort = off")
            rows = await tx.execute_query_dict("EXPLAIN " + for_dialect(sql, dialect), params)
        return "\n".join(r["QUERY PLAN"] for r in rows)
    rows = await conn.execute_query_dict("EXPLAIN QUERY PLAN " + sql, params)
    return "\n".join(r["detail"] for r in rows)


def is_sqlite() -> bool:
    dialect: str = connections.get("default").capabilities.dialect
    return dialect == "sqlite"


async def test_a_name_search_reads_the_word_index(shelves: int) -> None:
    text = await plan(ProductSort.NAME_ASC, search="alim rail")
    assert "LIKE" not in text.upper()
    if is_sqlite():
        # The first words of the longest term's range are read one by one in sort order...
        assert "SEARCH w USING COVERING INDEX word_lookup (word=?)" in text, text
        # ...then the rest of the range, sorted from the index alone.
        assert "SEARCH w USING COVERING INDEX word_lookup (word>? AND word<?)" in text, text
        # The other term is probed per candidate through the (product, word) index.
        assert "SEARCH o USING COVERING INDEX" in text, text
    else:
        conditions = [line.strip() for line in text.splitlines() if "Index Cond" in line]
        assert any(c.startswith("Index Cond: (word = ") for c in conditions), text
        assert any("'rail'" in c for c in conditions), text
        assert "word_lookup" in text, text
        assert "Seq Scan" not in text, text


async def test_the_unfiltered_list_walks_the_sort_index_without_sorting(shelves: int) -> None:
    for sort, index in (
        (ProductSort.NAME_ASC, "product_by_name"),
        (ProductSort.PRICE_ASC, "product_by_price"),
        (ProductSort.PRICE_DESC, "product_by_price"),
    ):
        text = await plan(sort)
        assert index in text, (sort, text)
        assert "TEMP B-TREE" not in text, (sort, text)
        assert "Sort" not in text, (sort, text)


async def test_a_deep_page_seeks_into_the_index_instead_of_counting_rows(shelves: int) -> None:
    text = await plan(ProductSort.NAME_ASC, after=["NAME_ASC", "alimentation rail din 7 w", 8])
    assert "product_by_name" in text, text
    assert "OFFSET" not in text.upper()
    if is_sqlite():
        assert "USING INDEX product_by_name (sort_name>?)" in text, text
    else:
        assert "Index Cond: (ROW((sort_name)::text, id) >" in text, text


async def test_category_and_seller_filters_use_their_composite_indexes(shelves: int) -> None:
    cases: list[tuple[ProductSort, dict[str, Any], str]] = [
        (ProductSort.NAME_ASC, {"category": "Outillage"}, "product_category_by_name"),
        (ProductSort.PRICE_DESC, {"category": "Outillage"}, "product_category_by_price"),
        (ProductSort.NEWEST, {"category": "Outillage"}, "product_category_by_id"),
        (ProductSort.NAME_ASC, {"seller_id": shelves}, "product_seller_by_name"),
        (ProductSort.PRICE_ASC, {"seller_id": shelves}, "product_seller_by_price"),
        (ProductSort.NEWEST, {"seller_id": shelves}, "product_seller_by_id"),
    ]
    for sort, filters, index in cases:
        text = await plan(sort, **filters)
        assert index in text, (sort, filters, text)
        assert "TEMP B-TREE" not in text, (sort, text)
        assert "Sort" not in text, (sort, text)


async def test_a_price_range_reads_the_price_index(shelves: int) -> None:
    text = await plan(ProductSort.PRICE_ASC, min_price=Decimal(10), max_price=Decimal(20))
    assert "product_by_price" in text, text


def probes(text: str, alias: str) -> bool:
    """True when the table under `alias` is read through an index, never scanned.

    PostgreSQL may turn a probe into a semi-join; with sequential scans disabled, a plan
    without any "Seq Scan" shows every table of it is reachable by an index.
    """
    if is_sqlite():
        return f"SEARCH {alias} USING " in text and f"SCAN {alias}\n" not in text + "\n"
    return "Seq Scan" not in text


async def test_delivery_and_attribute_filters_probe_their_unique_indexes(shelves: int) -> None:
    text = await plan(ProductSort.NAME_ASC, deliverable_to="69003")
    assert "product_by_name" in text, text
    assert probes(text, "z"), text
    text = await plan(
        ProductSort.NAME_ASC, attributes=[("Tension de sortie", "24 V"), ("Montage", "Rail DIN")]
    )
    assert probes(text, "a"), text


async def test_search_with_filters_keeps_every_index(shelves: int) -> None:
    text = await plan(
        ProductSort.PRICE_ASC,
        search="alim",
        category="Alimentations",
        in_stock=True,
        max_price=Decimal(30),
        deliverable_to="75011",
    )
    # A price order sorts the word's rows whichever word index is read (both cover them).
    assert "word_lookup" in text or "word_relevance" in text, text
    assert probes(text, "z"), text
    assert probes(text, "s"), text


async def test_relevance_reads_the_words_and_products_in_standing_order(shelves: int) -> None:
    text = await plan(ProductSort.RELEVANCE, search="alimentation")
    if is_sqlite():
        # The exact word, then each longer word, in (standing, product) order from the index.
        assert "SEARCH w USING COVERING INDEX word_relevance (word=?)" in text, text
        assert "SEARCH x USING COVERING INDEX" in text, text
    else:
        assert "word_relevance" in text, text
        assert "Seq Scan" not in text, text
    text = await plan(ProductSort.RELEVANCE, after=["RELEVANCE", 0, 25, 7])
    assert "product_by_standing" in text, text
    assert "TEMP B-TREE" not in text, text
    assert "Sort" not in text, text
