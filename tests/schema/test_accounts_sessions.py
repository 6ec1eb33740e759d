"""Bearer sessions over HTTP: bad tokens fail everything; revocations are one event per session."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from models.accounts import Account, Session
from models.events import Event, EventKind
from tests.accounts_helpers import (
    CHANGE_PASSWORD,
    CONFIRM,
    LOGIN,
    LOGOUT,
    ME,
    REGISTER,
    REQUEST_RESET,
    RESET_PASSWORD,
    STRONG,
    account,
    counts,
    link_token,
    registration,
    request_reset,
)
from tests.clients import GraphQLClient
from tests.factories import PASSWORD, login_as

EMAIL = "buyer@example.fr"
DELETE = """
mutation($password: String!) { deleteAccount(password: $password) { errors { code field } } }"""

# Operations open to anonymous callers, queries and mutations alike.
OPEN_OPERATIONS = [
    (ME, {}),
    ("{ products(first: 1) { edges { node { id } } } }", {}),
    (REGISTER, {"input": registration("new@example.fr")}),
    (LOGIN, {"email": EMAIL, "password": PASSWORD}),
    (REQUEST_RESET, {"email": EMAIL}),
    (CONFIRM, {"token": "whatever"}),
]


async def _spoil(buyer: GraphQLClient, how: str) -> None:
    """Make the buyer's bearer token unknown, revoked or expired, or its account deleted."""
    session = await Session.get(account_id=buyer.account_id)
    if how == "unknown":
        buyer.token = "not-a-token-we-issued"
    elif how == "revoked":
        await buyer.mutate_ok(LOGOUT)
    elif how == "expired":
        await Session.filter(id=session.id).update(expires_at=datetime.now(UTC))
    else:
        await Account.filter(id=buyer.account_id).update(deleted_at=datetime.now(UTC))


@pytest.mark.parametrize("how", ["unknown", "revoked", "expired", "deleted account"])
@pytest.mark.parametrize(("document", "variables"), OPEN_OPERATIONS)
async def test_a_bad_token_fails_every_operation_even_anonymous_ones(
    buyer: GraphQLClient, how: str, document: str, variables: dict[str, object]
) -> None:
    await _spoil(buyer, how)
    before = await counts()
    assert await buyer.error_codes(document, **variables) == ["UNAUTHENTICATED"]
    assert await counts() == before


async def test_a_bad_token_fails_a_get_query_too(buyer: GraphQLClient) -> None:
    await _spoil(buyer, "expired")
    response = await buyer.http.get("/graphql", params={"query": ME}, headers=buyer.headers)
    codes = [e["extensions"]["code"] for e in response.json()["errors"]]
    assert codes == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "token"])
async def test_a_malformed_authorization_header_is_unauthenticated(
    http: httpx.AsyncClient, header: str
) -> None:
    response = await http.post("/graphql", json={"query": ME}, headers={"Authorization": header})
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]


async def test_no_header_at_all_is_anonymous(anonymous: GraphQLClient) -> None:
    assert await anonymous.query(ME) == {"me": None}


async def _revocations() -> list[tuple[int | None, int | None, object]]:
    """(account_id, session_id, payload session_id) of each SESSION_REVOKED event, in order."""
    rows = await Event.filter(kind=EventKind.SESSION_REVOKED).order_by("id")
    return [(e.account_id, e.session_id, e.payload["session_id"]) for e in rows]


async def _devices(http: httpx.AsyncClient, n: int) -> list[tuple[GraphQLClient, int]]:
    """`n` more logged-in sessions of the buyer, with their session ids."""
    row = await account(EMAIL)
    devices = [await login_as(http, row) for _ in range(n)]
    sessions = await Session.filter(account_id=row.id).order_by("id")
    return list(zip(devices, [s.id for s in sessions][-n:], strict=True))


async def test_change_password_revokes_each_other_session_with_its_own_event(
    buyer: GraphQLClient, other_buyer: GraphQLClient, http: httpx.AsyncClient
) -> None:
    caller = await Session.get(account_id=buyer.account_id)
    others = await _devices(http, 2)
    await buyer.mutate_ok(CHANGE_PASSWORD, current=PASSWORD, new=STRONG)
    assert await _revocations() == [(buyer.account_id, sid, sid) for _, sid in others]
    assert (await Session.get(id=caller.id)).revoked_at is None
    assert (await buyer.query(ME))["me"]["email"] == EMAIL
    for device, _ in others:
        assert await device.error_codes(ME) == ["UNAUTHENTICATED"]
    # Another account's session is none of its business.
    assert (await other_buyer.query(ME))["me"] is not None


async def test_reset_password_revokes_every_session_each_with_its_event(
    buyer: GraphQLClient, anonymous: GraphQLClient, http: httpx.AsyncClient
) -> None:
    caller = await Session.get(account_id=buyer.account_id)
    ((other, other_id),) = await _devices(http, 1)
    await request_reset(anonymous, EMAIL)
    await anonymous.mutate_ok(
        RESET_PASSWORD, token=await link_token(EMAIL, "reset-password"), password=STRONG
    )
    assert await _revocations() == [
        (buyer.account_id, caller.id, caller.id),
        (buyer.account_id, other_id, other_id),
    ]
    assert await buyer.error_codes(ME) == ["UNAUTHENTICATED"]
    assert await other.error_codes(ME) == ["UNAUTHENTICATED"]


async def test_delete_account_revokes_every_session_each_with_its_event(
    buyer: GraphQLClient, http: httpx.AsyncClient
) -> None:
    caller = await Session.get(account_id=buyer.account_id)
    ((_, other_id),) = await _devices(http, 1)
    await buyer.mutate_ok(DELETE, password=PASSWORD)
    assert await _revocations() == [
        (buyer.account_id, caller.id, caller.id),
        (buyer.account_id, other_id, other_id),
    ]
    assert await Session.filter(revoked_at__isnull=True).count() == 0


async def test_logout_names_the_revoked_session_in_its_event(buyer: GraphQLClient) -> None:
    session = await Session.get(account_id=buyer.account_id)
    await buyer.mutate_ok(LOGOUT)
    assert await _revocations() == [(buyer.account_id, session.id, session.id)]
    # Logging out twice is UNAUTHENTICATED, and writes no second event.
    assert await buyer.error_codes(LOGOUT) == ["UNAUTHENTICATED"]
    assert len(await _revocations()) == 1
