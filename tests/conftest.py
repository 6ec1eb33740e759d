"""Test wiring: one database and app per session, clean tables per test, a client per caller.

The suite runs on SQLite by default; set COMPTOIR_TEST_DATABASE_URL to a postgres:// URL to
run it against PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

_TMP = Path(tempfile.mkdtemp(prefix="comptoir-tests-"))
# The environment is set before any settings are read.
os.environ.update(
    {
        "COMPTOIR_VAR_DIR": str(_TMP / "var"),
        "DATABASE_URL": os.environ.get("COMPTOIR_TEST_DATABASE_URL")
        or f"sqlite://{_TMP / 'test.sqlite3'}",
        "PUBLIC_URL": "http://testserver.local",
        "ALLOWED_ORIGINS": "https://shop.example.fr",
        # On in the embedded default only; the suite scrapes it on PostgreSQL too.
        "COMPTOIR_METRICS": "1",
        # Cheap argon2 parameters: the suite hashes hundreds of passwords.
        "COMPTOIR_ARGON2_TIME_COST": "1",
        "COMPTOIR_ARGON2_MEMORY_KIB": "1024",
        "COMPTOIR_ARGON2_PARALLELISM": "1",
        # Every test client is 127.0.0.1 and the suite logs in hundreds of times: like any
        # harness sending everything from one address, it turns the per-client rate limits
        # off. tests/schema/test_abuse_limits.py builds apps with them on.
        "COMPTOIR_RATE_LIMITS": "0",
    }
)
for name in ("REDIS_URL", "SMTP_URL"):
    os.environ.pop(name, None)

import httpx
import pytest
from starlette.applications import Starlette

from comptoir.app import create_app
from comptoir.cli import websocket_options
from comptoir.settings import Settings
from models.accounts import Role
from resolvers.policy import Policy
from tests.clients import GraphQLClient
from tests.configuration import APP, POLICY, SETTINGS, Configured
from tests.database import migrate_fresh, truncate_all
from tests.factories import login_as, make_account
from tests.live_helpers import uvicorn_server


@pytest.fixture(scope="session")
async def app() -> AsyncIterator[Starlette]:
    async with APP.router.lifespan_context(APP):
        await migrate_fresh()
        yield APP


@pytest.fixture(autouse=True)
async def clean_database(app: Starlette) -> None:
    await truncate_all()
    await app.state.live.hub.rewind()  # event ids restart at 1: the hub re-reads from there


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The settings the session's app is built from."""
    return SETTINGS


@pytest.fixture(scope="session")
def policy() -> Policy:
    """What the session's app hands its resolvers, for tests calling them directly."""
    return POLICY


@pytest.fixture
async def configured(app: Starlette) -> AsyncIterator[Configured]:
    """A client of another app, built from the test settings with some of them changed; it
    shares the session's database and lives beside the session's app."""
    clients: list[httpx.AsyncClient] = []

    def make(**changes: Any) -> httpx.AsyncClient:
        other = create_app(dataclasses.replace(SETTINGS, **changes))
        transport = httpx.ASGITransport(app=other)
        clients.append(httpx.AsyncClient(transport=transport, base_url=SETTINGS.public_url))
        return clients[-1]

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


@pytest.fixture
def anonymous(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
async def buyer(http: httpx.AsyncClient) -> GraphQLClient:
    account = await make_account(Role.BUYER, email="buyer@example.fr", postal_code="75011")
    return await login_as(http, account)


@pytest.fixture
async def other_buyer(http: httpx.AsyncClient) -> GraphQLClient:
    account = await make_account(Role.BUYER, email="other.buyer@example.fr", postal_code="69003")
    return await login_as(http, account)


@pytest.fixture
async def seller(http: httpx.AsyncClient) -> GraphQLClient:
    account = await make_account(Role.SELLER, email="seller@example.fr", shop_name="BatiPro")
    return await login_as(http, account)


@pytest.fixture
async def other_seller(http: httpx.AsyncClient) -> GraphQLClient:
    account = await make_account(
        Role.SELLER, email="other.seller@example.fr", shop_name="ElecRecond"
    )
    return await login_as(http, account)


@pytest.fixture
async def admin(http: httpx.AsyncClient) -> GraphQLClient:
    account = await make_account(Role.ADMIN, email="admin@example.fr")
    return await login_as(http, account)


@pytest.fixture
async def company_member(http: httpx.AsyncClient) -> GraphQLClient:
    """A colleague of a company account holding only PLACE_ORDERS."""
    main = await make_account(
        Role.BUYER,
        email="main@acme.fr",
        company="ACME BTP",
        rights=["PLACE_ORDERS", "SEE_INVOICES", "SEE_COMPANY_ORDERS", "MANAGE_COLLEAGUES"],
    )
    member = await make_account(
        Role.BUYER,
        email="member@acme.fr",
        company_id=main.company_id,
        rights=["PLACE_ORDERS"],
        postal_code="75011",
    )
    return await login_as(http, member)


@pytest.fixture(scope="session")
async def live_server(app: Starlette) -> AsyncIterator[str]:
    """A real uvicorn server on 127.0.0.1 serving the session's app (for WebSocket clients)."""
    async with uvicorn_server(app, **websocket_options(SETTINGS)) as address:
        yield address
