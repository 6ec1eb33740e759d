"""login (lock-out included) and logout over HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from models.accounts import Account, Role, Session
from models.events import Event, EventKind
from resolvers.passwords import hash_password
from resolvers.policy import Policy
from tests.accounts_helpers import LOGIN, LOGOUT, ME, account, login_codes, login_token
from tests.clients import GraphQLClient
from tests.configuration import Configured
from tests.factories import PASSWORD, make_account

EMAIL = "lock@example.fr"


@pytest.fixture
async def member(http: httpx.AsyncClient) -> Account:
    return await make_account(Role.BUYER, email=EMAIL)


async def test_login_returns_a_token_that_authenticates(
    anonymous: GraphQLClient, member: Account
) -> None:
    payload = await anonymous.mutate_ok(LOGIN, email="Lock@Example.fr", password=PASSWORD)
    token = payload["token"]
    # The request is anonymous, yet the password proved the account is the caller's.
    assert payload["account"]["email"] == EMAIL
    anonymous.token = token
    assert (await anonymous.query(ME))["me"]["email"] == EMAIL
    session = await Session.get(account_id=member.id)
    assert token not in session.token_hash  # stored hashed


async def test_wrong_password_and_unknown_email_get_the_same_answer(
    anonymous: GraphQLClient, member: Account
) -> None:
    assert await login_codes(anonymous, EMAIL, "wrong password 123") == ["INVALID_CREDENTIALS"]
    assert await login_codes(anonymous, "nobody@example.fr", PASSWORD) == ["INVALID_CREDENTIALS"]
    assert await Session.all().count() == 0


async def test_the_fifth_failure_locks_even_the_right_password_out(
    anonymous: GraphQLClient, member: Account
) -> None:
    for _ in range(5):
        assert await login_codes(anonymous, EMAIL, "wrong") == ["INVALID_CREDENTIALS"]
    assert await login_codes(anonymous, EMAIL, PASSWORD) == ["ACCOUNT_LOCKED"]
    assert await login_codes(anonymous, EMAIL, "wrong") == ["ACCOUNT_LOCKED"]
    locked = await account(EMAIL)
    assert locked.failed_logins == 5  # attempts while locked do not count
    assert locked.locked_until is not None
    assert timedelta(minutes=14) < locked.locked_until - datetime.now(UTC) <= timedelta(minutes=15)


async def test_the_lock_lasts_the_configured_minutes(
    member: Account, configured: Configured
) -> None:
    anonymous = GraphQLClient(configured(lockout_minutes=0.005))  # 0.3 s
    for _ in range(5):
        await login_codes(anonymous, EMAIL, "wrong")
    assert await login_codes(anonymous, EMAIL, PASSWORD) == ["ACCOUNT_LOCKED"]
    await asyncio.sleep(0.35)
    # The count restarts when the lock ends: four failures do not lock again.
    for _ in range(4):
        assert await login_codes(anonymous, EMAIL, "wrong") == ["INVALID_CREDENTIALS"]
    await login_token(anonymous, EMAIL, PASSWORD)


async def test_a_success_resets_the_failure_count(
    anonymous: GraphQLClient, member: Account
) -> None:
    for _ in range(4):
        await login_codes(anonymous, EMAIL, "wrong")
    await login_token(anonymous, EMAIL, PASSWORD)
    assert (await account(EMAIL)).failed_logins == 0
    for _ in range(4):
        assert await login_codes(anonymous, EMAIL, "wrong") == ["INVALID_CREDENTIALS"]
    await login_token(anonymous, EMAIL, PASSWORD)


async def test_aliased_attempts_in_one_document_each_count(
    anonymous: GraphQLClient, member: Account
) -> None:
    attempts = " ".join(
        f'a{i}: login(email: "{EMAIL}", password: "wrong") {{ errors {{ code }} token }}'
        for i in range(7)
    )
    data = await anonymous.query(f"mutation {{ {attempts} }}")
    codes = [data[f"a{i}"]["errors"][0]["code"] for i in range(7)]
    assert codes == ["INVALID_CREDENTIALS"] * 5 + ["ACCOUNT_LOCKED"] * 2
    assert await login_codes(anonymous, EMAIL, PASSWORD) == ["ACCOUNT_LOCKED"]


async def test_concurrent_wrong_passwords_lock_after_exactly_five_failures(
    anonymous: GraphQLClient, member: Account
) -> None:
    # 4 documents of 3 aliased attempts in flight at once: 12 failures racing for one row.
    attempts = " ".join(
        f'a{i}: login(email: "{EMAIL}", password: "wrong {i}") {{ errors {{ code }} token }}'
        for i in range(3)
    )
    started = datetime.now(UTC)
    documents = await asyncio.gather(
        *(anonymous.query(f"mutation {{ {attempts} }}") for _ in range(4))
    )
    ended = datetime.now(UTC)
    codes = [data[f"a{i}"]["errors"][0]["code"] for data in documents for i in range(3)]
    assert sorted(codes) == ["ACCOUNT_LOCKED"] * 7 + ["INVALID_CREDENTIALS"] * 5
    locked = await account(EMAIL)
    assert locked.failed_logins == 5  # attempts refused as locked do not count
    assert locked.locked_until is not None
    # The lock runs from a failure inside the burst, and that locking write was the last one.
    lock_start = locked.locked_until - timedelta(minutes=15)
    assert started <= lock_start <= ended
    assert timedelta(0) <= locked.updated_at - lock_start < timedelta(seconds=1)
    assert await login_codes(anonymous, EMAIL, PASSWORD) == ["ACCOUNT_LOCKED"]
    assert await Session.all().count() == 0


async def test_a_locked_account_answers_locked_before_checking_anything(
    anonymous: GraphQLClient, member: Account
) -> None:
    await Account.filter(id=member.id).update(
        failed_logins=5, locked_until=datetime.now(UTC) + timedelta(minutes=3)
    )
    assert await login_codes(anonymous, EMAIL, PASSWORD) == ["ACCOUNT_LOCKED"]
    await Account.filter(id=member.id).update(locked_until=datetime.now(UTC) - timedelta(seconds=1))
    await login_token(anonymous, EMAIL, PASSWORD)


async def test_an_old_hash_is_upgraded_on_login(
    anonymous: GraphQLClient, member: Account, policy: Policy
) -> None:
    old = hash_password(PASSWORD, policy=dataclasses.replace(policy, argon2_time_cost=2))
    await Account.filter(id=member.id).update(password_hash=old)
    await login_token(anonymous, EMAIL, PASSWORD)
    upgraded = (await account(EMAIL)).password_hash
    assert upgraded != old
    assert "t=1" in upgraded
    await login_token(anonymous, EMAIL, PASSWORD)


async def test_logout_revokes_only_the_calling_session(
    anonymous: GraphQLClient, http: httpx.AsyncClient, member: Account
) -> None:
    first = GraphQLClient(http, token=await login_token(anonymous, EMAIL, PASSWORD))
    second = GraphQLClient(http, token=await login_token(anonymous, EMAIL, PASSWORD))
    await first.mutate_ok(LOGOUT)
    assert await first.error_codes(ME) == ["UNAUTHENTICATED"]
    assert (await second.query(ME))["me"]["email"] == EMAIL
    revoked = await Event.filter(kind=EventKind.SESSION_REVOKED)
    assert [e.account_id for e in revoked] == [member.id]


async def test_logout_needs_a_login(anonymous: GraphQLClient) -> None:
    assert await anonymous.error_codes(LOGOUT) == ["UNAUTHENTICATED"]


async def test_a_deleted_account_cannot_log_in(anonymous: GraphQLClient, member: Account) -> None:
    await Account.filter(id=member.id).update(deleted_at=datetime.now(UTC))
    assert await login_codes(anonymous, EMAIL, PASSWORD) == ["INVALID_CREDENTIALS"]


async def test_a_revoked_token_fails_even_the_login_mutation(
    anonymous: GraphQLClient, member: Account
) -> None:
    anonymous.token = await login_token(anonymous, EMAIL, PASSWORD)
    await anonymous.mutate_ok(LOGOUT)
    assert await anonymous.error_codes(LOGIN, email=EMAIL, password=PASSWORD) == ["UNAUTHENTICATED"]
