"""Automatic persisted queries (Apollo's protocol) and the HTTP caching of anonymous reads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from comptoir.app import create_app
from comptoir.persisted import DocumentCache, PersistedQueries
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.configuration import SETTINGS

CATALOG = "query Catalogue { products(first: 2) { edges { node { name price } } } }"
CATALOG_HASH = hashlib.sha256(CATALOG.encode()).hexdigest()
UNKNOWN_HASH = hashlib.sha256(b"never sent").hexdigest()
PUBLIC = "public, max-age=30, stale-while-revalidate=60"


def _extensions(sha: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha}}


def _get_params(sha: str, query: str | None = None) -> dict[str, str]:
    params = {
        "operationName": "Catalogue",
        "variables": "{}",
        "extensions": json.dumps(_extensions(sha)),
    }
    return params if query is None else {**params, "query": query}


def _persisted(app: Starlette) -> PersistedQueries:
    route = next(r for r in app.routes if getattr(r, "path", "") == "/graphql")
    # Starlette types a route endpoint as a callable; this one is the GraphQL view.
    persisted: PersistedQueries = route.endpoint.persisted  # type: ignore[attr-defined]
    return persisted


@pytest.fixture
def served() -> Starlette:
    """An app of the suite's settings of its own: each test starts with a server that knows
    no hash."""
    return create_app(SETTINGS)


@pytest.fixture
async def http(served: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """In this module the clients (the actors' too) talk to that app."""
    transport = httpx.ASGITransport(app=served)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_an_unknown_hash_is_the_standard_miss_then_the_resent_document_is_kept(
    http: httpx.AsyncClient, seller: GraphQLClient
) -> None:
    await make_product(seller, name="Perceuse à percussion")
    miss = (await http.post("/graphql", json={"extensions": _extensions(CATALOG_HASH)})).json()
    assert miss["errors"][0]["message"] == "PersistedQueryNotFound"
    assert _codes(miss) == ["PERSISTED_QUERY_NOT_FOUND"]

    registered = await http.post(
        "/graphql", json={"query": CATALOG, "extensions": _extensions(CATALOG_HASH)}
    )
    hit = await http.post(
        "/graphql", json={"extensions": _extensions(CATALOG_HASH), "operationName": "Catalogue"}
    )
    assert hit.json() == registered.json()
    assert hit.json()["data"]["products"]["edges"][0]["node"]["name"] == "Perceuse à percussion"


async def test_a_document_that_does_not_match_its_hash_is_refused_and_not_kept(
    http: httpx.AsyncClient, served: Starlette
) -> None:
    body = (
        await http.post(
            "/graphql", json={"query": "{ me { email } }", "extensions": _extensions(CATALOG_HASH)}
        )
    ).json()
    assert body["errors"][0]["message"] == "provided sha does not match query"
    assert _codes(body) == ["INVALID_INPUT"]
    assert body["data"] is None
    assert len(_persisted(served).local) == 0
    miss = (await http.post("/graphql", json={"extensions": _extensions(CATALOG_HASH)})).json()
    assert _codes(miss) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    "extensions",
    [
        _extensions(CATALOG_HASH, version=2),
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": "yes"},
    ],
)
async def test_malformed_persisted_query_extensions_are_refused(
    http: httpx.AsyncClient, served: Starlette, extensions: dict[str, Any]
) -> None:
    body = (await http.post("/graphql", json={"query": CATALOG, "extensions": extensions})).json()
    assert _codes(body) == ["INVALID_INPUT"]
    assert len(_persisted(served).local) == 0


async def test_a_hashed_get_misses_uncached_then_hits_publicly_cacheable(
    http: httpx.AsyncClient,
) -> None:
    miss = await http.get("/graphql", params=_get_params(CATALOG_HASH))
    assert _codes(miss.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    # A cache must never keep the miss: the client is about to register the document.
    assert miss.headers["cache-control"] == "private, no-store"
    assert "etag" not in miss.headers

    registered = await http.get("/graphql", params=_get_params(CATALOG_HASH, CATALOG))
    hit = await http.get("/graphql", params=_get_params(CATALOG_HASH))
    assert hit.json() == registered.json()
    assert "errors" not in hit.json()
    assert hit.headers["cache-control"] == PUBLIC
    assert "Authorization" in hit.headers["vary"]
    assert hit.headers["etag"] == registered.headers["etag"]


async def test_a_revalidation_with_the_current_etag_is_a_304_without_body(
    http: httpx.AsyncClient, seller: GraphQLClient
) -> None:
    await make_product(seller, name="Scie sauteuse")
    first = await http.get("/graphql", params={"query": CATALOG})
    etag = first.headers["etag"]
    same = await http.get("/graphql", params={"query": CATALOG}, headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert (same.headers["etag"], same.headers["cache-control"]) == (etag, PUBLIC)

    await make_product(seller, name="Agrafeuse")  # the answer changes, so does its tag
    changed = await http.get("/graphql", params={"query": CATALOG}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert "Agrafeuse" in changed.text


@pytest.mark.parametrize("authorization", ["Bearer not-a-session", None])
async def test_a_get_with_a_bearer_token_is_never_stored(
    http: httpx.AsyncClient, buyer: GraphQLClient, authorization: str | None
) -> None:
    header = authorization or f"Bearer {buyer.token}"
    response = await http.get(
        "/graphql", params={"query": CATALOG}, headers={"Authorization": header}
    )
    assert response.headers["cache-control"] == "private, no-store"
    assert "etag" not in response.headers
    revalidated = await http.get(
        "/graphql",
        params={"query": CATALOG},
        headers={"Authorization": header, "If-None-Match": "*"},
    )
    assert revalidated.status_code == 200


async def test_posts_mutations_and_errors_are_not_stored(http: httpx.AsyncClient) -> None:
    post = await http.post("/graphql", json={"query": CATALOG})
    assert post.headers["cache-control"] == "private, no-store"
    failed = await http.get("/graphql", params={"query": "{ nothingHere }"})
    assert failed.headers["cache-control"] == "private, no-store"
    mutation = await http.get(
        "/graphql", params={"query": 'mutation { login(email: "a@b.fr", password: "x") { token } }'}
    )
    assert mutation.status_code == 400  # never by GET
    assert "public" not in mutation.headers.get("cache-control", "")


def test_the_local_store_is_bounded_in_bytes_and_forgets_the_least_used_first() -> None:
    store = DocumentCache(max_bytes=100)
    store.put("a", "x" * 40)
    store.put("b", "y" * 40)
    assert store.get("a") == "x" * 40  # a is now the most recently used
    store.put("c", "z" * 40)
    assert (store.get("a"), store.get("b"), store.get("c")) == ("x" * 40, None, "z" * 40)
    assert store.size == 80
    store.put("huge", "w" * 101)
    assert store.get("huge") is None
    assert store.size == 80


@pytest.mark.redis
async def test_a_document_registered_on_one_process_is_found_by_another_through_redis() -> None:
    from tests.integration.live_redis import Redis

    redis = Redis()
    redis.start()
    first = PersistedQueries(max_bytes=1000, redis_url=redis.url)
    second = PersistedQueries(max_bytes=1000, redis_url=redis.url)
    try:
        from strawberry.http import GraphQLRequestData

        sent = GraphQLRequestData(CATALOG, None, "Catalogue", _extensions(CATALOG_HASH))
        await first.resolve(sent)
        found = await second.resolve(
            GraphQLRequestData(None, None, "Catalogue", _extensions(CATALOG_HASH))
        )
        assert isinstance(found, GraphQLRequestData)
        assert found.query == CATALOG
        redis.kill()  # Redis gone: a miss for what this process never saw, no crash
        third = await PersistedQueries(max_bytes=1000, redis_url=redis.url).resolve(
            GraphQLRequestData(None, None, None, _extensions(CATALOG_HASH))
        )
        assert not isinstance(third, GraphQLRequestData)
        assert third.errors is not None
        assert third.errors[0].message == "PersistedQueryNotFound"
    finally:
        redis.kill()
        await first.close()
        await second.close()


async def test_a_hash_only_get_from_a_browser_like_client_is_an_operation_not_graphiql(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get(
        "/graphql", headers={"Accept": "*/*"}, params=_get_params(UNKNOWN_HASH)
    )
    assert response.headers["content-type"].startswith("application/json")
    assert _codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
