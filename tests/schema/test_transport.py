"""The HTTP transport of API.md: what GET and POST accept, body size, CORS, health."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from comptoir.settings import Settings
from models.accounts import Account
from models.mail import OutboxMail
from realtime.log import atomic
from resolvers.mail import enqueue_mail
from tests.configuration import POLICY, Configured

REGISTER = """mutation { register(input: {email: "new@example.fr", password: "a long passphrase 42",
    firstName: "Ana", lastName: "Lima", role: BUYER, postalCode: "75011"}) { errors { code } } }"""
ALLOWED = "https://shop.example.fr"  # ALLOWED_ORIGINS of the test environment
PUBLIC = "http://testserver.local"  # PUBLIC_URL of the test environment


async def test_a_query_may_be_sent_with_get(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": "{ me { id } }"})
    assert (response.status_code, response.json()) == (200, {"data": {"me": None}})


async def test_a_mutation_sent_with_get_is_refused_and_not_run(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": REGISTER})
    assert response.status_code == 400
    assert await Account.filter(email="new@example.fr").count() == 0


async def test_the_same_mutation_sent_with_post_runs(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": REGISTER})
    assert response.json() == {"data": {"register": {"errors": []}}}
    assert await Account.filter(email="new@example.fr").count() == 1


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_subscription_over_http_is_refused(http: httpx.AsyncClient, method: str) -> None:
    query = "subscription { orderEvents { id } }"
    if method == "GET":
        response = await http.get("/graphql", params={"query": query})
    else:
        response = await http.post("/graphql", json={"query": query})
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["INVALID_INPUT"]


async def test_browsers_get_graphiql_at_the_endpoint(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_graphiql_can_be_turned_off(configured: Configured) -> None:
    response = await configured(graphiql=False).get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404


async def test_a_batch_of_operations_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json=[{"query": "{ me { id } }"}, {"query": REGISTER}])
    assert response.status_code == 400
    assert await Account.filter(email="new@example.fr").count() == 0


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        None,
    ],
)
async def test_only_json_post_bodies_are_read(
    http: httpx.AsyncClient, content_type: str | None
) -> None:
    # The three first are what a page of another site may post without asking (no preflight).
    body = json.dumps({"query": REGISTER})
    headers = {"Content-Type": content_type} if content_type else {}
    response = await http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 400
    assert await Account.filter(email="new@example.fr").count() == 0


async def test_malformed_json_is_a_client_error(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", content="{", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def padded(size: int) -> bytes:
    """A valid JSON request of exactly `size` bytes (white space before the closing brace)."""
    head = json.dumps({"query": "{ me { id } }"}).encode()[:-1]
    return head + b" " * (size - len(head) - 1) + b"}"


async def test_a_body_of_one_mebibyte_is_accepted(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", content=padded(1024 * 1024), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200


async def test_a_body_over_one_mebibyte_is_refused_with_413(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", content=padded(1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


async def test_a_streamed_body_without_length_is_cut_at_the_limit(http: httpx.AsyncClient) -> None:
    body = padded(2 * 1024 * 1024)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await http.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_health_and_readiness_answer_json(http: httpx.AsyncClient) -> None:
    health = await http.get("/healthz")
    assert (health.status_code, health.json()["status"]) == (200, "ok")
    ready = await http.get("/readyz")
    assert ready.headers["content-type"] == "application/json"
    assert (ready.status_code, ready.json()["status"]) == (200, "ready")


async def test_readyz_reports_the_mail_backlog(http: httpx.AsyncClient) -> None:
    async with atomic():
        for i in range(2):
            await enqueue_mail(
                to=f"client{i}@example.fr", subject="Validée", body="Bonjour", policy=POLICY
            )
    await OutboxMail.all().update(next_attempt_at=datetime.now(UTC) - timedelta(seconds=30))
    response = await http.get("/readyz")
    assert response.status_code == 200
    mail = response.json()["mail"]
    assert (mail["unsent"], mail["due"]) == (2, 2)
    assert mail["oldest_due_seconds"] >= 30


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_is_on_by_default(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": INTROSPECTION})
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_introspection_can_be_turned_off(configured: Configured) -> None:
    client = configured(introspection=False)
    for query in (INTROSPECTION, '{ __type(name: "Account") { name } }'):
        body = (await client.post("/graphql", json={"query": query})).json()
        assert {e["extensions"]["code"] for e in body["errors"]} == {"INVALID_INPUT"}
        assert body["data"] is None
    assert (await client.post("/graphql", json={"query": "{ me { id } }"})).json() == {
        "data": {"me": None}
    }


def test_the_introspection_setting_reads_comptoir_introspection() -> None:
    assert Settings.from_env({}).introspection is True
    assert Settings.from_env({"COMPTOIR_INTROSPECTION": "0"}).introspection is False


PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}


@pytest.mark.parametrize("origin", [ALLOWED, PUBLIC])
async def test_listed_origins_and_the_public_url_pass_cors(
    http: httpx.AsyncClient, origin: str
) -> None:
    preflight = await http.options("/graphql", headers={"Origin": origin, **PREFLIGHT})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    response = await http.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Origin": origin}
    )
    assert response.headers["access-control-allow-origin"] == origin


async def test_another_origin_is_not_allowed_by_cors(http: httpx.AsyncClient) -> None:
    preflight = await http.options(
        "/graphql", headers={"Origin": "https://evil.example", **PREFLIGHT}
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    response = await http.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_a_star_in_allowed_origins_allows_no_one(configured: Configured) -> None:
    client = configured(allowed_origins=("*",))
    preflight = await client.options(
        "/graphql", headers={"Origin": "https://evil.example", **PREFLIGHT}
    )
    assert "access-control-allow-origin" not in preflight.headers
    same_site = await client.options("/graphql", headers={"Origin": PUBLIC, **PREFLIGHT})
    assert same_site.headers["access-control-allow-origin"] == PUBLIC
