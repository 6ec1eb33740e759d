"""Depth, alias, token and cost limits, checked before anything runs."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLSyntaxError,
    SelectionSetNode,
    get_introspection_query,
    parse,
    specified_rules,
    validate,
)

from comptoir.app import guard
from comptoir.settings import Settings
from schema import build_schema, limits
from schema.compat import graphql_schema
from schema.document_cache import CachedDocuments, DocumentStore
from schema.security import extensions
from tests.clients import GraphQLClient
from tests.security_helpers import codes, messages, run, toy_schema


def nested(levels: int) -> str:
    """`{ node { child { child ... { id } } } }` with `levels` fields above `id`."""
    return "{ node { " + "child { " * (levels - 1) + "id" + " }" * levels + " }"


async def test_a_document_ten_levels_deep_is_accepted() -> None:
    result = await run(toy_schema(), nested(10))
    assert result.errors is None


async def test_a_document_eleven_levels_deep_is_refused_as_invalid_input() -> None:
    result = await run(toy_schema(), nested(11))
    assert codes(result) == ["INVALID_INPUT"]
    assert "dépasse la profondeur maximale de 10" in messages(result)[0]
    assert result.data is None


async def test_depth_counts_through_fragments() -> None:
    document = nested(6).replace("id", "...Deeper") + (
        " fragment Deeper on Node { child { child { child { child { child { id } } } } } }"
    )
    result = await run(toy_schema(), document)
    assert codes(result) == ["INVALID_INPUT"]
    assert "profondeur" in messages(result)[0]


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{i}: node {{ id }}" for i in range(count)) + " }"


async def test_thirty_aliases_are_accepted() -> None:
    assert (await run(toy_schema(), aliased(30))).errors is None


async def test_thirty_one_aliases_are_refused() -> None:
    result = await run(toy_schema(), aliased(31))
    assert codes(result) == ["INVALID_INPUT"]
    assert messages(result) == ["31 alias demandés : 30 au plus"]


async def test_aliases_in_a_fragment_count_once_per_spread() -> None:
    ten = " ".join(f"x{i}: node {{ id }}" for i in range(10))
    fragment = f"fragment Ten on Query {{ {ten} }}"
    twelve = "{ ...Ten n: node { ...Nested } } fragment Nested on Node { c: child { id } } "
    assert (await run(toy_schema(), twelve + fragment)).errors is None
    result = await run(toy_schema(), "{ ...Ten ...Ten ...Ten ...Ten } " + fragment)
    assert messages(result) == ["40 alias demandés : 30 au plus"]


async def test_fragments_that_double_at_each_level_are_refused_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Strawberry's own depth and alias limiters expand each spread anew: this document of
    # a few kilobytes would keep a worker busy for longer than the universe has existed.
    count = 150
    fragments = "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(count)
    )
    document = "{ ...F0 } " + fragments + f"fragment F{count} on Query {{ a: node {{ id }} }}"
    walked: list[SelectionSetNode] = []
    measure = limits._Walk.selections

    def counted(walk: Any, selection_set: SelectionSetNode, *args: Any, **kwargs: Any) -> Any:
        walked.append(selection_set)
        return measure(walk, selection_set, *args, **kwargs)

    monkeypatch.setattr(limits._Walk, "selections", counted)
    result = await run(toy_schema(max_tokens=10_000), document)
    # Each selection set of the document is measured once: the operation's, the 151
    # fragments' and the node's (expanding the spreads would walk 2**150 of them).
    assert len(walked) == len({id(s) for s in walked}) == 1 + (count + 1) + 1
    # The exact total comes from multiplying each fragment's measure by its spreads.
    assert f"{2**count} alias demandés : 30 au plus" in messages(result)
    assert "INVALID_INPUT" in codes(result)
    assert result.data is None


async def test_an_unknown_fragment_is_reported_as_invalid_input() -> None:
    result = await run(toy_schema(), "{ ...Nowhere }")
    assert codes(result) == ["INVALID_INPUT"]
    assert messages(result) == ["Unknown fragment 'Nowhere'."]


async def test_a_document_past_the_token_limit_is_refused() -> None:
    document = "{ " + " ".join(f"a{i}: node {{ id }}" for i in range(400)) + " }"
    result = await run(toy_schema(), document)
    assert codes(result) == ["INVALID_INPUT"]
    assert "more than 2000 tokens" in messages(result)[0]


def padded(tokens: int) -> str:
    """A valid document of exactly `tokens` tokens (comments count): strings holding braces and
    `#`, a block string, then comment lines."""
    document = '{ a: node(id: "} { # \\"") { id } b: node(id: """ } \\""" # """) { id } }\n'
    return "#\n" * (tokens - 24) + document


async def test_a_document_of_exactly_the_token_limit_is_accepted() -> None:
    document = padded(2000)
    parse(document, max_tokens=2000)  # graphql-core agrees it is within the limit
    result = await run(toy_schema(), document)
    assert codes(result) != ["INVALID_INPUT"], messages(result)


async def test_one_token_more_is_refused_with_graphql_cores_own_error() -> None:
    document = padded(2001)
    with pytest.raises(GraphQLSyntaxError) as parsed:
        parse(document, max_tokens=2000)
    result = await run(toy_schema(), document)
    assert codes(result) == ["INVALID_INPUT"]
    assert result.errors is not None
    assert result.errors[0].formatted == {
        **parsed.value.formatted,
        "extensions": {"code": "INVALID_INPUT"},
    }


async def test_a_document_nested_past_what_the_parser_can_follow_is_invalid_input() -> None:
    document = "{ node " + "{ child " * 900 + "{ id }" + " }" * 901
    result = await run(toy_schema(max_tokens=10_000), document)
    assert codes(result) == ["INVALID_INPUT"]


SELLERS_PRODUCTS = """{ products(first: 100) { edges { node { id seller {
    products(first: 100) { edges { node { id name price } } } } } } } }"""


async def test_nested_pages_multiplying_past_the_bound_are_refused() -> None:
    result = await run(toy_schema(), SELLERS_PRODUCTS)
    assert codes(result) == ["INVALID_INPUT"]
    assert "trop coûteuse" in messages(result)[0]
    assert result.data is None


async def test_the_same_nesting_with_small_pages_is_accepted() -> None:
    result = await run(toy_schema(), SELLERS_PRODUCTS.replace("100", "10"))
    assert result.errors is None


async def test_a_page_hidden_in_a_fragment_is_multiplied_where_it_is_spread() -> None:
    document = """{ products(first: 100) { edges { node { seller { ...Catalogue } } } } }
        fragment Catalogue on Seller {
          products(first: 100) { edges { node { id name price } } } }"""
    assert "trop coûteuse" in messages(await run(toy_schema(), document))[0]


PAGE_IN_PAGE = """query VARIABLES { products(first: 100) { edges { node { seller {
    products(first: FIRST) { edges { node { id name price } } } } } } } }"""


async def test_a_variable_page_size_counts_as_the_largest_page() -> None:
    literal = PAGE_IN_PAGE.replace("VARIABLES", "").replace("FIRST", "1")
    assert (await run(toy_schema(), literal)).errors is None
    variable = PAGE_IN_PAGE.replace("VARIABLES", "($n: Int)").replace("FIRST", "$n")
    assert "trop coûteuse" in messages(await run(toy_schema(), variable, n=1))[0]


async def test_a_list_without_a_page_counts_as_several_items() -> None:
    bare = "{ products(first: 100) { edges { node { id name } } } }"
    assert (await run(toy_schema(max_cost=1000), bare)).errors is None  # 500 fields
    with_list = bare.replace("name", "name attributes { name value }")
    assert "trop coûteuse" in messages(await run(toy_schema(max_cost=1000), with_list))[0]


async def test_the_cost_bound_comes_from_the_settings() -> None:
    document = "{ products(first: 100) { edges { node { id name price } } } }"
    assert (await run(toy_schema(), document)).errors is None
    result = await run(toy_schema(max_cost=300), document)
    assert "trop coûteuse" in messages(result)[0]


async def test_first_above_one_hundred_is_refused_with_invalid_input() -> None:
    result = await run(toy_schema(), "{ products(first: 101) { edges { cursor } } }")
    assert codes(result) == ["INVALID_INPUT"]


def cached_documents(schema: Any) -> DocumentStore:
    """The document store behind a schema's extensions."""
    for factory in schema.extensions:
        extension = factory()
        if isinstance(extension, CachedDocuments):
            return extension.store
    raise AssertionError("no document cache")


async def test_validation_is_cached_across_requests() -> None:
    schema = toy_schema()
    store = cached_documents(schema)
    document = "{ products(first: 7) { pageInfo { hasNextPage } } }"
    await run(schema, document)
    hits = store.hits
    await run(schema, document)
    await run(schema, document)
    assert store.hits == hits + 4  # parsed and validated once each


async def test_the_cache_is_bounded_by_bytes_not_entries() -> None:
    schema = toy_schema(document_cache_bytes=4 * 1024 * 1024)
    store = cached_documents(schema)
    for number in range(200):
        padding = f"# {number} " + "x" * 4000
        assert (await run(schema, "{ __typename }\n" + padding)).data == {"__typename": "Query"}
    assert store.bytes <= 4 * 1024 * 1024
    assert 0 < len(store) < 200


async def test_a_document_larger_than_the_whole_budget_is_not_cached() -> None:
    schema = toy_schema(document_cache_bytes=64 * 1024)
    store = cached_documents(schema)
    long_document = "{ __typename }\n#" + "x" * 64 * 1024
    for _ in range(2):
        assert (await run(schema, long_document)).data == {"__typename": "Query"}
    assert len(store) == 0


async def test_a_document_with_too_many_fields_is_refused_before_validation(
    settings: Settings,
) -> None:
    schema = toy_schema()
    fields = settings.max_fields
    accepted = "{ products { edges { node { " + "name " * (fields - 4) + "} } } }"
    assert codes(await run(schema, accepted)) == []
    refused = "{ products { edges { node { " + "name " * 1000 + "} } } }"
    result = await run(schema, refused)
    assert codes(result) == ["INVALID_INPUT"]
    assert messages(result) == [f"1003 champs demandés : {fields} au plus"]


async def test_deep_introspection_is_refused() -> None:
    document = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    result = await run(toy_schema(), document)
    assert codes(result) == ["INVALID_INPUT"]
    assert messages(result) == ["Maximum introspection depth exceeded"]


async def test_graphiql_introspection_passes_every_limit(anonymous: GraphQLClient) -> None:
    data = await anonymous.query(get_introspection_query(descriptions=True))
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_the_real_schema_refuses_a_costly_document(anonymous: GraphQLClient) -> None:
    document = """{ threads(first: 100) { edges { node { messages(first: 100) { edges {
        node { id body sentAt readAt flagged } } } } } } }"""
    assert await anonymous.error_codes(document) == ["INVALID_INPUT"]


# The documents a frontend of API.md sends: they must never meet the limits.
CONTRACT_DOCUMENTS = {
    "orders with lines and history": """query($after: String) {
      orders(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node {
        id number status subtotal smallOrderFee total remark carrier trackingNumber createdAt
        buyer { id email firstName lastName company { id name } }
        seller { id name responseRate }
        deliveryAddress { line1 line2 postalCode city country }
        lines { productName unitPrice quantity product { id name price stock minimumQuantity
                attributes { name value } seller { id name } } }
        history { from to at actorRole reason } } } } }""",
    "threads with their first messages": """{
      threads(first: 100) { edges { node { id subject category trackingNumber responseDueAt
        overdue unreadCount flagged buyer { id firstName } seller { id name }
        order { id number status } product { id name }
        messages(first: 20) { edges { node { id body sentAt readAt flagged authorRole
          author { id firstName } } } } } } } }""",
    "a thread's messages": """query($id: ID!) { thread(id: $id) { id subject
      messages(first: 100) { pageInfo { hasNextPage endCursor }
        edges { cursor node { id body sentAt readAt flagged authorRole author { id } } } } } }""",
    "the cart": """{ cart { total expiresAt lines { quantity lineTotal product { id name price
      stock minimumQuantity attributes { name value } seller { id name } } }
      subtotals { subtotal smallOrderFee total seller { id name } } } }""",
    "a product page with attributes and seller": """{ products(first: 100) {
      pageInfo { hasNextPage endCursor } edges { cursor node { id name description brand category
        price stock minimumQuantity leadTimeDays warehouse deliverableTo(postalCode: "75011")
        attributes { name value } seller { id name responseRate } } } } }""",
}


@pytest.mark.parametrize("name", sorted(CONTRACT_DOCUMENTS))
def test_contract_documents_fit_every_limit(name: str, settings: Settings) -> None:
    schema = graphql_schema(build_schema(guard(settings)))
    operation = parse(CONTRACT_DOCUMENTS[name]).definitions[0]
    # graphql-core types definitions and selections as their base classes; these documents
    # are queries whose first selection is a field.
    root_field = operation.selection_set.selections[0].name.value  # type: ignore[attr-defined]
    if root_field not in schema.query_type.fields:  # type: ignore[union-attr]
        pytest.skip(f"Query.{root_field} is not in the schema yet")
    rules = [*specified_rules]
    for factory in extensions(guard(settings)):
        rules.extend(getattr(factory(), "validation_rules", ()))
    assert validate(schema, parse(CONTRACT_DOCUMENTS[name]), rules) == []


async def test_a_full_product_page_with_attributes_and_seller_is_accepted() -> None:
    document = """{ products(first: 100) { pageInfo { hasNextPage endCursor } edges { cursor
        node { id name price attributes { name value } seller { id name } } } } }"""
    assert (await run(toy_schema(), document)).errors is None
