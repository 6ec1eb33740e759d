"""Generated hostile inputs (Hypothesis): arbitrary JSON bodies, arbitrary strings in every
argument of every operation, arbitrary WebSocket frames. Whatever comes in: never a 5xx, never
INTERNAL, never a socket dropped without a close code. Example counts are bounded for CI."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    build_schema,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed

from tests.clients import GraphQLClient
from tests.schema.test_transport_ws import LEGACY_WS, TRANSPORT_WS, init, receive, socket_to

SDL = build_schema((Path(__file__).parents[2] / "schema.graphql").read_text())
# CI runs a fixed, small sample; COMPTOIR_FUZZ_EXAMPLES=500 explores further on a workstation.
FUZZ = int(os.environ.get("COMPTOIR_FUZZ_EXAMPLES", "0"))
EXAMPLES = settings(
    max_examples=FUZZ or 12,
    deadline=None,
    derandomize=not FUZZ,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Text as clients really send it, text no column holds, and text UTF-8 cannot encode.
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=["Cs"]) | st.characters(), min_size=1, max_size=12),
    st.builds(
        lambda c, n: c * n, st.sampled_from(["x", "é", "😀", "%", "\x00"]), st.integers(150, 12_000)
    ),
    st.sampled_from(
        [
            "",
            " ",
            "FR",
            "75011",
            "acheteur@demo.comptoir.fr",
            "UHJvZHVjdDox",
            "0",
            "-1",
            "9" * 30,
            "null",
            "{}",
            "%_",
            "2026-01-01T00:00:00+00:00",
        ]
    ),
)
# Integers past the 4,300 digits Python converts from text (and literals past any bound).
HUGE_DIGITS = st.integers(4000, 6000).map(lambda n: "9" * n)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=12,
)


def values(kind: Any) -> st.SearchStrategy[Any]:
    """Values a client could send for an input type, hostile ones included."""
    if isinstance(kind, GraphQLNonNull):
        return _inner(kind.of_type)
    return st.none() | _inner(kind)


def _inner(kind: Any) -> st.SearchStrategy[Any]:
    if isinstance(kind, GraphQLList):
        return st.lists(values(kind.of_type), max_size=6) | values(kind.of_type)
    if isinstance(kind, GraphQLEnumType):
        return st.sampled_from(list(kind.values)) | HOSTILE_TEXT
    if isinstance(kind, GraphQLInputObjectType):
        required = {
            n: values(f.type) for n, f in kind.fields.items() if isinstance(f.type, GraphQLNonNull)
        }
        optional = {n: values(f.type) for n, f in kind.fields.items() if n not in required}
        return st.fixed_dictionaries(required, optional=optional)
    assert isinstance(kind, GraphQLScalarType)
    if kind.name == "Int":
        return st.integers(-(2**40), 2**40) | st.integers(0, 3)
    if kind.name == "Float":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind.name == "Boolean":
        return st.booleans()
    if kind.name == "Decimal":
        return st.decimals(allow_nan=False, allow_infinity=False).map(str) | HOSTILE_TEXT
    if kind.name == "DateTime":
        return st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()) | HOSTILE_TEXT
    return HOSTILE_TEXT


def document(operation: str, name: str, field: GraphQLField) -> str:
    """The operation calling `name` with every argument passed as a variable of its type."""
    declared = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
    passed = ", ".join(f"{a}: ${a}" for a in field.args)
    selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    return f"{operation} ({declared}) {{ {name}({passed}){selection} }}"


OPERATIONS = [
    (operation, name, field)
    for operation, root in (("query", SDL.query_type), ("mutation", SDL.mutation_type))
    if root is not None
    for name, field in root.fields.items()
    if field.args
]


def assert_handled(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:500]
    assert response.headers["content-type"].startswith("application/json"), response.text[:300]
    body = response.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    assert "INTERNAL" not in codes, body


def post(body: object) -> dict[str, Any]:
    # Escaped JSON: lone surrogates travel as `\ud800`, as a browser's JSON.stringify sends them.
    return {"content": json.dumps(body), "headers": {"Content-Type": "application/json"}}


def assert_no_error_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage()[:300] for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("operation", "name", "field"), OPERATIONS, ids=[name for _, name, _ in OPERATIONS]
)
@EXAMPLES
@given(data=st.data())
async def test_no_argument_value_reaches_an_internal_error(
    http: httpx.AsyncClient,
    buyer: GraphQLClient,
    seller: GraphQLClient,
    caplog: pytest.LogCaptureFixture,
    operation: str,
    name: str,
    field: GraphQLField,
    data: st.DataObject,
) -> None:
    variables = data.draw(
        st.fixed_dictionaries({a: values(arg.type) for a, arg in field.args.items()})
    )
    caller = data.draw(st.sampled_from([{}, buyer.headers, seller.headers]))
    request = post({"query": document(operation, name, field), "variables": variables})
    response = await http.post(
        "/graphql", headers={**request["headers"], **caller}, content=request["content"]
    )
    assert_handled(response)
    assert_no_error_logged(caplog)


@EXAMPLES
@given(
    body=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {
                "query": HOSTILE_TEXT
                | st.sampled_from(
                    [
                        "{ me { id } }",
                        "query { products { edges { cursor } } }",
                        "{",
                        "mutation { logout",
                    ]
                )
                | HUGE_DIGITS.map(lambda n: f"{{ products(first: {n}) {{ edges {{ cursor }} }} }}")
            },
            optional={"variables": JSON, "operationName": JSON, "extensions": JSON},
        ),
    )
)
@example(body={"query": "{ products(first: 1" + "0" * 5000 + ") { edges { cursor } } }"})
async def test_no_json_body_reaches_an_internal_error(
    http: httpx.AsyncClient, body: object
) -> None:
    assert_handled(await http.post("/graphql", **post(body)))


@EXAMPLES
@given(
    body=st.binary(max_size=200)
    | st.builds(
        lambda head, depth: head + b"[" * depth,
        st.sampled_from([b"", b'{"query":']),
        st.integers(0, 5000),
    )
    | st.builds(
        lambda ends, digits: ends[0] + digits.encode() + ends[1],
        st.sampled_from(
            [
                (b"", b""),
                (b'{"query": ', b"}"),
                (b'{"query": "{ me { id } }", "variables": {"n": ', b"}}"),
            ]
        ),
        HUGE_DIGITS,
    )
)
@example(body=b'{"query": "{ me { id } }", "variables": {"n": ' + b"9" * 4301 + b"}}")
async def test_no_byte_string_reaches_a_server_error(http: httpx.AsyncClient, body: bytes) -> None:
    assert_handled(
        await http.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    )


TRANSPORT_TYPES = ["connection_init", "ping", "pong", "subscribe", "complete", "next"]
LEGACY_TYPES = ["connection_init", "start", "stop", "connection_terminate", "data"]
QUERIES = st.sampled_from(
    [
        "subscription { orderEvents { id } }",
        "{ __typename }",
        "subscription { orderEvents { ",
        "",
        "query { me { id } }",
        "subscription { orderEvents(after: " + "9" * 5000 + ") { id } }",
    ]
)


def frames(types: list[str]) -> st.SearchStrategy[str]:
    shaped = st.fixed_dictionaries(
        {"type": st.sampled_from(types) | HOSTILE_TEXT},
        optional={
            "id": st.sampled_from(["1", "x"]) | JSON,
            "payload": JSON
            | st.fixed_dictionaries(
                {"query": QUERIES | JSON}, optional={"variables": JSON, "operationName": JSON}
            ),
        },
    )
    # An id no JSON parser of Python turns into an int (json.dumps cannot write it either).
    huge_id = st.builds(
        lambda kind, digits: f'{{"type": "{kind}", "id": {digits}}}',
        st.sampled_from(types),
        HUGE_DIGITS,
    )
    return st.one_of(shaped.map(json.dumps), JSON.map(json.dumps), HOSTILE_TEXT, huge_id)


async def assert_alive_or_closed_with_a_code(ws: Any, probe: str, answer_type: str) -> None:
    """After the hostile frame: the socket answers a probe, or was closed with a code."""
    try:
        await ws.send(probe)
        while True:
            message = await receive(ws)
            if message.get("type") == answer_type and message.get("id") in (None, "probe"):
                return
    except ConnectionClosed:
        assert ws.close_code is not None
        assert ws.close_code not in (1006, 1011), ws.close_code
    except TimeoutError:
        raise AssertionError("the socket neither answered nor closed") from None


@pytest.mark.parametrize(
    ("protocol", "types", "probe", "answer"),
    [
        (TRANSPORT_WS, TRANSPORT_TYPES, '{"type": "ping"}', "pong"),
        # The legacy protocol runs subscriptions only: a broken one is answered at once.
        (
            LEGACY_WS,
            LEGACY_TYPES,
            '{"type": "start", "id": "probe", "payload": {"query": "subscription {"}}',
            "error",
        ),
    ],
    ids=[TRANSPORT_WS, LEGACY_WS],
)
@EXAMPLES
@given(data=st.data())
async def test_no_websocket_frame_drops_the_socket(
    live_server: str,
    buyer: GraphQLClient,
    caplog: pytest.LogCaptureFixture,
    protocol: str,
    types: list[str],
    probe: str,
    answer: str,
    data: st.DataObject,
) -> None:
    frame = data.draw(frames(types))
    async with socket_to(live_server, protocol) as ws:
        await init(ws, {"token": buyer.token})
        await ws.send(frame)
        await assert_alive_or_closed_with_a_code(ws, probe, answer)
    assert_no_error_logged(caplog)
