"""What a client may see of an error: the codes of API.md, never internals, never suggestions."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from graphql import GraphQLFormattedError
from strawberry.types import ExecutionResult

from schema.context import Context
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.security_helpers import codes, first_error, messages, run, toy_schema


async def test_an_unexpected_error_is_masked_as_internal(caplog: pytest.LogCaptureFixture) -> None:
    result = await run(toy_schema(), "{ boom }")
    error = first_error(result)
    assert (error.message, error.extensions) == ("Internal server error", {"code": "INTERNAL"})
    assert error.path == ["boom"]
    assert "hunter2" not in str(result.errors)


async def test_an_unexpected_error_is_logged_once_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await run(toy_schema(), "{ boom }")
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
    assert "hunter2" in str(logged[0].exc_info[1])
    assert "security_helpers.py" in caplog.text  # the traceback reaches the resolver


async def test_expected_errors_are_not_logged_as_errors(caplog: pytest.LogCaptureFixture) -> None:
    schema = toy_schema()
    refused = ("{ needsLogin }", "{ nodee }", "{ products(first: 500) { edges { cursor } } }")
    for document in refused:
        await run(schema, document)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_null_where_the_schema_promises_a_value_is_masked_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = await run(toy_schema(), "{ brokenNonNull }")
    assert codes(result) == ["INTERNAL"]
    assert "brokenNonNull" in caplog.text


@pytest.mark.parametrize(
    ("document", "code", "message"),
    [
        ("{ needsLogin }", "UNAUTHENTICATED", "Connexion requise"),
        ("{ adminsOnly }", "FORBIDDEN", "Action non autorisée pour ce compte"),
        ('{ compare(ids: ["1", "2", "3", "4"]) }', "TOO_MANY_ITEMS", "At most 3 products"),
        ('{ lookup(id: "x") }', "NOT_FOUND", "No such product"),
    ],
)
async def test_coded_errors_reach_the_client_with_their_code(
    document: str, code: str, message: str
) -> None:
    result = await run(toy_schema(), document)
    assert (codes(result), messages(result)) == ([code], [message])


async def test_a_bad_token_fails_the_operation_as_unauthenticated() -> None:
    result = await toy_schema().execute(
        "{ products { edges { cursor } } }",
        context_value=Context(auth_error="Session revoked", policy=POLICY),
    )
    assert codes(result) == ["UNAUTHENTICATED"]
    assert result.data is None


async def subscription_errors(fail_with: str) -> list[list[GraphQLFormattedError]]:
    stream = await toy_schema().subscribe(
        "subscription($f: String!) { ticks(failWith: $f) }",
        variable_values={"f": fail_with},
        context_value=Context(policy=POLICY),
    )
    assert not isinstance(stream, ExecutionResult)
    return [[e.formatted for e in result.errors or []] async for result in stream]


async def test_an_error_inside_a_subscription_stream_is_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert await subscription_errors("boom") == [
        [],
        [{"message": "Internal server error", "extensions": {"code": "INTERNAL"}}],
    ]
    assert "stream secret" in caplog.text


async def test_a_coded_error_inside_a_subscription_stream_keeps_its_code() -> None:
    events = await subscription_errors("login")
    assert events[1][0]["extensions"] == {"code": "UNAUTHENTICATED"}


# Each place graphql-core would add "Did you mean …?": fields, arguments, types, enum values,
# input fields (as literals and as variables), selections, and the lexer's own hints.
SUGGESTION_BAITS: list[tuple[str, dict[str, Any]]] = [
    ("{ nodee { id } }", {}),
    ("{ products(frist: 2) { edges { cursor } } }", {}),
    ("query($c: Colur!) { paint(colour: $c) }", {"c": "RED"}),
    ("{ paint(colour: REDD) }", {}),
    ("query($c: Colour!) { paint(colour: $c) }", {"c": "REDD"}),
    ('mutation { setPrice(input: {lable: "a", price: "1.00"}) }', {}),
    ("mutation($i: PriceInput!) { setPrice(input: $i) }", {"i": {"lable": "a", "price": "1"}}),
    ("{ node }", {}),
    ("{ node { ..on Node { id } } }", {}),
    ("{ products(first: 01) { edges { cursor } } }", {}),
    ("fragment F on Nod { id } { node { ...F } }", {}),
]


@pytest.mark.parametrize(("document", "variables"), SUGGESTION_BAITS)
async def test_no_error_suggests_a_name(document: str, variables: dict[str, Any]) -> None:
    result = await run(toy_schema(), document, **variables)
    assert result.errors, "the document must be refused"
    assert all(code == "INVALID_INPUT" for code in codes(result))
    for message in messages(result):
        assert "did you mean" not in message.lower(), message


async def test_the_real_schema_suggests_nothing_either(anonymous: GraphQLClient) -> None:
    body = await anonymous.execute("{ mee { id } ordrs { edges { cursor } } }")
    assert [e["message"] for e in body["errors"]] == [
        "Cannot query field 'mee' on type 'Query'.",
        "Cannot query field 'ordrs' on type 'Query'.",
    ]


@pytest.mark.parametrize("price", [1.5, 12.0])
async def test_a_float_variable_for_money_is_refused(price: float) -> None:
    result = await run(
        toy_schema(),
        "mutation($i: PriceInput!) { setPrice(input: $i) }",
        i={"label": "Vis", "price": price},
    )
    assert codes(result) == ["INVALID_INPUT"]
    assert result.data is None


async def test_a_float_literal_for_money_is_refused() -> None:
    result = await run(toy_schema(), 'mutation { setPrice(input: {label: "Vis", price: 1.5}) }')
    assert codes(result) == ["INVALID_INPUT"]


async def test_money_as_a_string_is_accepted_and_read_exactly() -> None:
    result = await run(
        toy_schema(),
        "mutation($i: PriceInput!) { setPrice(input: $i) }",
        i={"label": "Vis", "price": "0.30"},
    )
    assert result.data == {"setPrice": "0.30"}
