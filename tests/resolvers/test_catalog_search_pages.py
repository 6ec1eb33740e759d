"""A search reads each word of the term's range in order, then merges: the pages must be
exactly those of sorting every match, for every sort, with and without "in stock"."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from models.accounts import Role
from models.catalog import Product
from resolvers.actor import ANONYMOUS
from resolvers.catalog.conditions import ProductFilter
from resolvers.catalog.listing import (
    WORD_BRANCHES,
    ProductSort,
    list_products,
)
from resolvers.pagination import PageRequest
from resolvers.search_text import sort_key, words
from tests.catalog_helpers import make_product
from tests.factories import make_account

# More distinct words under "ka" than the search reads one by one: the rest of the range
# is sorted as a whole, and both parts must merge into one order.
VOCABULARY = ["kaa", "kab", "kac", "kad", "kae", "kaf", "kag", "kaz", "kb", "lot"]
assert len([w for w in VOCABULARY if w.startswith("ka")]) > WORD_BRANCHES + 2


def expected(products: list[Product], search: str, sort: ProductSort, in_stock: bool) -> list[int]:
    terms = search.split()
    driving = sorted(terms, key=len, reverse=True)[0]
    matching = [
        p
        for p in products
        if all(any(w.startswith(t) for w in words(p.name)) for t in terms)
        and (not in_stock or p.stock > 0)
    ]
    keys = {
        ProductSort.NAME_ASC: lambda p: (sort_key(p.name), p.id),
        ProductSort.PRICE_ASC: lambda p: (p.price_cents, p.id),
        ProductSort.PRICE_DESC: lambda p: (-p.price_cents, -p.id),
        ProductSort.NEWEST: lambda p: -p.id,
        # The longest term as a whole word first, then the seller's standing, then id.
        ProductSort.RELEVANCE: lambda p: (driving not in words(p.name), p.standing, p.id),
    }
    return [p.id for p in sorted(matching, key=keys[sort])]


async def every_page(search: str, sort: ProductSort, in_stock: bool, size: int) -> list[int]:
    found: list[int] = []
    after = None
    while True:
        page = await list_products(
            ANONYMOUS,
            search=search,
            filters=ProductFilter(in_stock=in_stock or None),
            sort=sort,
            page=PageRequest.of(size, after),
        )
        found += [p.id for _, p in page.items]
        if not page.has_next_page:
            return found
        after = page.end_cursor


async def test_search_pages_match_sorting_every_match(app: object) -> None:
    shop = await make_account(Role.SELLER, email="pages@example.fr", shop_name="Pages")
    draw = random.Random(7)
    for n in range(45):
        name = " ".join(draw.sample(VOCABULARY, draw.randint(1, 3))) + f" {n % 6}"
        await make_product(
            shop,
            name=name.capitalize(),
            price=f"{draw.randint(1, 9)}.00",
            stock=draw.choice([0, 0, 3]),
            delivery_zones=["75"],
            attributes=[],
        )
    products = await Product.all()
    for search in ("ka", "kab", "k", "ka lot", "kaz ka"):
        for sort in ProductSort:
            for in_stock in (False, True):
                want = expected(products, search, sort, in_stock)
                for size in (1, 4, 50):
                    got = await every_page(search, sort, in_stock, size)
                    assert got == want, (search, sort, in_stock, size)


async def test_sold_out_products_early_in_a_long_range_do_not_let_later_ones_jump_ahead(
    app: object,
) -> None:
    shop = await make_account(Role.SELLER, email="runs@example.fr", shop_name="Runs")
    # Past the first words of "ka": only its first candidates are checked for stock at
    # first, and all of those are sold out.
    for n in range(30):
        await make_product(shop, name=f"Aaa kaz {n:02d}", stock=0, delivery_zones=["75"])
    await make_product(shop, name="Bbb kaz", stock=5, delivery_zones=["75"])
    for word in VOCABULARY[:WORD_BRANCHES]:
        await make_product(shop, name=f"Zzz {word}", stock=5, delivery_zones=["75"])
    page = await list_products(
        ANONYMOUS,
        search="ka",
        filters=ProductFilter(in_stock=True),
        sort=ProductSort.NAME_ASC,
        page=PageRequest.of(2, None),
    )
    assert [p.name for _, p in page.items] == ["Bbb kaz", "Zzz kaa"]
    assert page.has_next_page


async def test_a_price_sorted_search_pages_the_same_way(app: object) -> None:
    shop = await make_account(Role.SELLER, email="prices@example.fr", shop_name="Prix")
    for n in range(12):
        await make_product(
            shop, name=f"Vis {VOCABULARY[n % 8]}", price=Decimal(n % 5 + 1), delivery_zones=["75"]
        )
    products = await Product.all()
    assert await every_page("ka", ProductSort.PRICE_DESC, False, 5) == expected(
        products, "ka", ProductSort.PRICE_DESC, False
    )


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if '"event"' not in record.getMessage():  # the live hub's own reads
                seen.append(record.getMessage())

    logger, handler = logging.getLogger("tortoise.db_client"), Recorder()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_an_in_stock_search_of_a_short_prefix_fills_its_page_in_one_statement(
    app: object,
) -> None:
    shop = await make_account(Role.SELLER, email="window@example.fr", shop_name="Fenetre")
    # More products past the first words than the first window holds.
    for n, word in enumerate(VOCABULARY[:8] * 5):
        await make_product(
            shop, name=f"Vis {word} {n:02d}", price=f"{n + 1}.00", stock=5, delivery_zones=["75"]
        )
    products = await Product.all()
    for sort in ProductSort:
        with statements() as run:
            page = await list_products(
                ANONYMOUS,
                search="ka",
                filters=ProductFilter(in_stock=True),
                sort=sort,
                page=PageRequest.of(3, None),
            )
        assert [p.id for _, p in page.items] == expected(products, "ka", sort, True)[:3]
        assert len(run) == 1, (sort, run)
