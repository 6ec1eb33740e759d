"""The delivery address of a reservation: countries are ISO 3166-1 alpha-2."""

from __future__ import annotations

from models.catalog import Product
from models.orders import CartLine, Order
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import ADD, ADDRESS_INPUT, RESERVE, counts, reserve_input


async def test_an_unknown_country_is_refused_and_nothing_is_reserved(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    await buyer.mutate_ok(ADD, p=encode_id("Product", product.id), q=2)
    before = await counts()
    for country in ("ZZ", "UK", "FRA", ""):  # two letters is not enough: UK is GB in ISO 3166-1
        payload = await buyer.mutate(
            RESERVE, input=reserve_input(deliveryAddress={**ADDRESS_INPUT, "country": country})
        )
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [
            ("INVALID_INPUT", "deliveryAddress.country")
        ], country
        assert payload["orders"] is None
    assert await counts() == before
    assert (await Product.get(id=product.id)).stock == 10
    assert await CartLine.filter(product_id=product.id).count() == 1


async def test_a_country_code_is_accepted_in_any_case_and_stored_upper_case(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    await buyer.mutate_ok(ADD, p=encode_id("Product", product.id), q=2)
    payload = await buyer.mutate_ok(
        RESERVE, input=reserve_input(deliveryAddress={**ADDRESS_INPUT, "country": " be "})
    )
    assert payload["orders"][0]["deliveryAddress"]["country"] == "BE"
    assert (await Order.get()).address_country == "BE"
