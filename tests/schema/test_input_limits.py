"""Each class of hostile input named in the hardening issue, once by hand: bounds per argument,
unencodable text, unbounded lists, bodies that are not a JSON object, WebSocket frames that
break the protocol, and what the log quotes of them."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    build_schema,
    get_named_type,
)
from websockets.exceptions import ConnectionClosed

from comptoir.app import guard
from comptoir.settings import Settings
from models.accounts import Account, Session
from models.mail import OutboxMail
from schema.input_limits import LIST_LIMITS, REFUSAL_CODES, STRING_LIMITS
from schema.security import log as errors_log
from tests.accounts_helpers import LOGIN, REGISTER, registration
from tests.clients import GraphQLClient
from tests.live_helpers import ORDER_EVENTS
from tests.schema.test_transport_ws import LEGACY_WS, TRANSPORT_WS, init, receive, socket_to

SDL = build_schema((Path(__file__).parents[2] / "schema.graphql").read_text())
PRODUCTS_BY_CATEGORY = """query ($c: String) {
  products(filter: {category: $c}) { edges { cursor } } }"""
PRODUCTS_BY_ATTRIBUTES = """query ($a: [AttributeInput!]) {
  products(filter: {attributes: $a}) { edges { cursor } } }"""


def _is_list(kind: Any) -> bool:
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


def coordinates() -> tuple[set[str], set[str]]:
    """Every (string-or-id, list) argument and input field of the schema, by coordinate."""
    strings: set[str] = set()
    lists: set[str] = set()

    def note(coordinate: str, kind: Any) -> None:
        if _is_list(kind):
            lists.add(coordinate)
        if get_named_type(kind).name in ("String", "ID"):
            strings.add(coordinate)

    for named in SDL.type_map.values():
        if named.name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType):
            for field_name, field in named.fields.items():
                for arg_name, arg in field.args.items():
                    note(f"{named.name}.{field_name}({arg_name}:)", arg.type)
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                note(f"{named.name}.{field_name}", input_field.type)
    return strings, lists


def test_every_list_argument_has_its_own_documented_maximum() -> None:
    _, lists = coordinates()
    assert lists - set(LIST_LIMITS) == set()


def test_every_listed_limit_names_an_argument_of_the_schema() -> None:
    strings, lists = coordinates()
    assert set(STRING_LIMITS) - strings == set()
    assert set(LIST_LIMITS) - lists == set()
    assert set(REFUSAL_CODES) - strings == set()


async def test_a_login_email_longer_than_the_column_is_invalid_input(
    anonymous: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    payload = await anonymous.mutate(LOGIN, email="a" * 250 + "@x.fr", password="x")
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "email")]
    assert await Session.all().count() == 0
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("text", ["x\ud800y", "\udfff", "a\udc80"])
async def test_a_lone_surrogate_in_a_mutation_is_refused_with_the_field_named(
    anonymous: GraphQLClient, text: str
) -> None:
    payload = await anonymous.mutate(REGISTER, input=registration(firstName=text))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "firstName")]
    assert await Account.all().count() == 0
    assert await OutboxMail.all().count() == 0


async def test_a_lone_surrogate_in_a_query_filter_is_invalid_input(
    anonymous: GraphQLClient,
) -> None:
    assert await anonymous.error_codes(PRODUCTS_BY_CATEGORY, c="x\ud800y") == ["INVALID_INPUT"]


async def test_lists_past_their_maximum_are_refused_before_the_database(
    anonymous: GraphQLClient,
) -> None:
    limit = LIST_LIMITS["ProductFilter.attributes"]
    attributes = [{"name": f"a{i}", "value": "b"} for i in range(998)]
    assert await anonymous.error_codes(PRODUCTS_BY_ATTRIBUTES, a=attributes) == ["INVALID_INPUT"]
    accepted = await anonymous.query(PRODUCTS_BY_ATTRIBUTES, a=attributes[:limit])
    assert accepted["products"]["edges"] == []


async def test_a_malformed_token_too_long_to_be_one_is_invalid_token(
    anonymous: GraphQLClient,
) -> None:
    confirm = "mutation ($t: String!) { confirmEmail(token: $t) { errors { code } } }"
    assert await anonymous.refused(confirm, t="t" * 100_000) == ["INVALID_TOKEN"]


def raw(body: bytes) -> dict[str, Any]:
    return {"content": body, "headers": {"Content-Type": "application/json"}}


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe{}",
        b"[" * 1000 + b"]" * 1000,
        b"5",
        b"null",
        b'"query"',
        b"true",
        b'{"query": ' + b"1" * 4301 + b"}",
        b'{"query": "{ me { id } }", "operationName": 5}',
        b'{"query": "{ me { id } }", "variables": [1]}',
        b'{"query": 12}',
        b"{",
    ],
)
async def test_a_body_that_is_not_a_graphql_object_gets_400_with_a_json_error(
    http: httpx.AsyncClient, body: bytes
) -> None:
    response = await http.post("/graphql", **raw(body))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["message"]


async def test_a_huge_integer_literal_does_not_crash_the_cost_rule(
    anonymous: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    document = "{ products(first: 1" + "0" * 5000 + ") { edges { cursor } } }"
    assert await anonymous.error_codes(document) == ["INVALID_INPUT"]
    negative = "{ products(first: -1" + "0" * 5000 + ") { edges { cursor } } }"
    assert await anonymous.error_codes(negative) == ["INVALID_INPUT"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_the_error_log_quotes_at_most_a_thousand_characters_a_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    value = "v" * 100_000
    try:
        raise ValueError(f"Length of {value!r} 100002 > 254")
    except ValueError as error:
        errors_log.error("Unexpected error at %s: %s", ["login"], value, exc_info=error)
    (record,) = caplog.records
    formatted = logging.Formatter().format(record)
    assert "v" * 900 in formatted
    assert "Traceback" in formatted
    assert max(len(line) for line in formatted.splitlines()) < 1100
    assert len(formatted) < 5000


@pytest.mark.parametrize(
    "frame",
    [
        "[1,2]",
        "null",
        "5",
        '"subscribe"',
        "{}",
        '{"type": 5}',
        '{"type": "nonsense"}',
        '{"type": "subscribe", "id": {"a": 1}, "payload": {"query": "{ __typename }"}}',
        '{"type": "subscribe", "id": "1", "payload": {"query": ""}}',
        '{"type": "subscribe", "id": "1", "payload": {"query": 12}}',
        '{"type": "subscribe", "id": "1", "payload": [1]}',
        '{"type": "subscribe", "id": "1", "payload": {"query": "{ __typename }", "variables": 3}}',
        '{"type": "complete", "id": null}',
        '{"type": "ping", "payload": 3}',
        "{not json",
    ],
)
async def test_a_frame_that_breaks_graphql_transport_ws_closes_with_4400(
    live_server: str, frame: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with socket_to(live_server) as ws:
        await init(ws)
        await ws.send(frame)
        with pytest.raises(ConnectionClosed):
            await receive(ws)
        assert ws.close_code == 4400
        assert ws.close_reason
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("subscription { orderEvents { ", "Syntax Error"),
        ("subscription { " + "a " * 2500 + "}", "Syntax Error: Document contains more than 2000"),
    ],
)
async def test_a_syntax_error_in_a_subscribe_is_an_error_for_that_id(
    live_server: str, query: str, message: str
) -> None:
    async with socket_to(live_server) as ws:
        await init(ws)
        await ws.send(
            json.dumps(
                {
                    "id": "s",
                    "type": "subscribe",
                    "payload": {"query": query},
                }
            )
        )
        answer = await receive(ws)
        assert (answer["type"], answer["id"]) == ("error", "s")
        assert answer["payload"][0]["message"].startswith(message)
        await ws.send(json.dumps({"type": "ping"}))  # the socket stays open
        assert (await receive(ws))["type"] == "pong"


async def test_a_long_id_for_a_duplicate_subscription_still_closes_cleanly(
    live_server: str, buyer: GraphQLClient
) -> None:
    async with socket_to(live_server) as ws:
        await init(ws, {"token": buyer.token})
        message = {"id": "é" * 64, "type": "subscribe", "payload": {"query": ORDER_EVENTS}}
        await ws.send(json.dumps(message))
        await ws.send(json.dumps(message))
        with pytest.raises(ConnectionClosed):
            await receive(ws)
        assert ws.close_code == 4409
        assert len(ws.close_reason.encode()) <= 123


@pytest.mark.parametrize(
    "frame",
    [
        "[1,2]",
        "null",
        "5",
        "{not json",
        '{"type": "nonsense"}',
        '{"type": "start", "id": {"a": 1}, "payload": {}}',
    ],
)
async def test_a_malformed_legacy_frame_gets_a_connection_error(
    live_server: str, frame: str
) -> None:
    async with socket_to(live_server, LEGACY_WS) as ws:
        await init(ws)
        await ws.send(frame)
        assert (await receive(ws))["type"] == "connection_error"


@pytest.mark.parametrize(
    "payload", [{"query": ""}, {"query": 5}, 7, {"query": "{ __typename }", "variables": []}]
)
async def test_a_legacy_start_with_a_malformed_payload_gets_an_error_for_its_id(
    live_server: str, payload: object
) -> None:
    async with socket_to(live_server, LEGACY_WS) as ws:
        await init(ws)
        await ws.send(json.dumps({"type": "start", "id": "a", "payload": payload}))
        answer = await receive(ws)
        assert (answer["type"], answer["id"]) == ("error", "a")


async def test_a_legacy_syntax_error_is_an_error_for_its_id(live_server: str) -> None:
    async with socket_to(live_server, LEGACY_WS) as ws:
        await init(ws)
        await ws.send(
            json.dumps({"type": "start", "id": "a", "payload": {"query": "subscription {"}})
        )
        answer = await receive(ws)
        assert (answer["type"], answer["id"]) == ("error", "a")


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_an_unencodable_token_in_connection_init_is_refused(
    live_server: str, protocol: str
) -> None:
    async with socket_to(live_server, protocol) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": "\ud800"}}))
        if protocol == TRANSPORT_WS:
            with pytest.raises(ConnectionClosed):
                await receive(ws)
            assert ws.close_code == 4403
        else:
            assert (await receive(ws))["type"] == "connection_error"


async def test_building_the_schema_again_reports_each_problem_once(
    anonymous: GraphQLClient,
    settings: Settings,
) -> None:

    from schema import build_schema

    build_schema(guard(settings))
    build_schema(guard(settings))
    payload = await anonymous.mutate(LOGIN, email="a" * 300, password="x")
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "email")]
