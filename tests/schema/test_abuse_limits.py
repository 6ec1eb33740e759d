"""API.md Part 2 "Abuse limits": the per-address cap on account mails (always on), per-client
rate limits (on by default, off with COMPTOIR_RATE_LIMITS=0), and the lock-out of addresses
that have no account."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from comptoir.app import create_app
from comptoir.settings import Settings
from models.abuse import AddressLockout, Throttle
from models.accounts import Account, AccountToken, TokenPurpose
from models.mail import OutboxMail
from resolvers.accounts.recovery import answer_reset_requests
from resolvers.policy import Policy
from resolvers.throttle import DEFAULT_RATE_LIMITS, RateLimit, forget_ended_windows, take
from schema.throttle import THROTTLED
from tests.accounts_helpers import (
    CONFIRM,
    LOGIN,
    REGISTER,
    REQUEST_RESET,
    RESET_PASSWORD,
    STRONG,
    counts,
    link_token,
    register_and_confirm,
    request_reset,
)
from tests.clients import GraphQLClient
from tests.configuration import SETTINGS
from tests.factories import login_as

PUBLIC = "http://testserver.local"
RESETS = (
    "mutation { "
    + " ".join(
        f'r{i}: requestPasswordReset(email: "lea@example.fr") {{ errors {{ code }} }}'
        for i in range(10)
    )
    + " }"
)

INVITE = """
mutation($email: String!, $rights: [CompanyRight!]!) {
  addColleague(email: $email, rights: $rights) { errors { code field } invitationSent }
}"""


def aliased_logins(count: int, email: str = "nobody@example.fr", start: int = 0) -> str:
    """`count` aliased logins with a wrong password; `{i}` in `email` numbers the addresses."""
    return (
        "mutation { "
        + " ".join(
            f'l{i}: login(email: "{email.format(i=i)}", password: "wrong")'
            " { errors { code } token }"
            for i in range(start, start + count)
        )
        + " }"
    )


@pytest.fixture
async def limited(app: Starlette) -> AsyncIterator[Any]:
    """A client of an app whose per-client rate limits are on (the suite turns them off)."""
    clients: list[httpx.AsyncClient] = []

    def make(rate_limits: dict[str, RateLimit] | None = None, **changes: Any) -> GraphQLClient:
        settings = dataclasses.replace(
            SETTINGS,
            rate_limits=dict(DEFAULT_RATE_LIMITS if rate_limits is None else rate_limits),
            **changes,
        )
        clients.append(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=create_app(settings)), base_url=PUBLIC
            )
        )
        return GraphQLClient(clients[-1])

    yield make
    for client in clients:
        await client.aclose()


def codes_of(data: dict[str, Any]) -> list[list[str]]:
    return [[e["code"] for e in payload["errors"]] for payload in data.values()]


async def test_account_mails_past_the_hourly_cap_are_not_queued_and_the_answer_is_unchanged(
    anonymous: GraphQLClient, settings: Settings, policy: Policy
) -> None:
    await register_and_confirm(anonymous, "lea@example.fr")  # the confirmation: mail 1 of 5
    data = await anonymous.query(RESETS)
    assert codes_of(data) == [[]] * 10
    assert await answer_reset_requests(policy=policy) == 10
    mails = await OutboxMail.filter(recipient="lea@example.fr").count()
    assert mails == settings.account_mails_per_hour == 5


async def test_the_mail_cap_stays_on_with_rate_limits_off(
    anonymous: GraphQLClient, settings: Settings, policy: Policy
) -> None:
    assert settings.rate_limits == {}  # the suite runs with COMPTOIR_RATE_LIMITS=0
    await register_and_confirm(anonymous, "lea@example.fr")
    for _ in range(3):
        await anonymous.query(RESETS)
        await answer_reset_requests(policy=policy)
    assert await OutboxMail.filter(recipient="lea@example.fr").count() == 5


async def test_a_new_hour_gives_the_address_its_mails_again(
    anonymous: GraphQLClient, policy: Policy
) -> None:
    await register_and_confirm(anonymous, "lea@example.fr")
    await anonymous.query(RESETS)
    await answer_reset_requests(policy=policy)
    await Throttle.filter(key="account-mail:lea@example.fr").update(
        window_start=datetime.now(UTC) - timedelta(minutes=61)
    )
    await anonymous.query(RESETS)
    await answer_reset_requests(policy=policy)
    assert await OutboxMail.filter(recipient="lea@example.fr").count() == 10


async def test_a_reset_for_an_unknown_address_answers_the_same_and_queues_nothing(
    anonymous: GraphQLClient, policy: Policy
) -> None:
    await register_and_confirm(anonymous, "lea@example.fr")
    unknown = RESETS.replace("lea@example.fr", "nobody@example.fr")
    assert await anonymous.query(unknown) == await anonymous.query(RESETS)
    assert await answer_reset_requests(policy=policy) == 20
    assert await OutboxMail.filter(recipient="nobody@example.fr").count() == 0


async def test_logins_past_the_limit_are_rate_limited_alias_by_alias(limited: Any) -> None:
    client = limited({"login": RateLimit(3, 60)})
    data = await client.query(aliased_logins(5))
    assert codes_of(data) == [["INVALID_CREDENTIALS"]] * 3 + [["RATE_LIMITED"]] * 2
    assert all(payload["token"] is None for payload in data.values())
    again = await client.query(aliased_logins(1))
    assert codes_of(again) == [["RATE_LIMITED"]]


async def test_a_rate_limited_login_is_refused_even_with_the_right_password(
    limited: Any, anonymous: GraphQLClient
) -> None:
    await register_and_confirm(anonymous, "lea@example.fr")
    client = limited({"login": RateLimit(1, 60)})
    assert codes_of(await client.query(aliased_logins(1, "lea@example.fr"))) == [
        ["INVALID_CREDENTIALS"]
    ]
    payload = await client.mutate(LOGIN, email="lea@example.fr", password=STRONG)
    assert ([e["code"] for e in payload["errors"]], payload["token"]) == (["RATE_LIMITED"], None)


async def test_a_rate_limited_registration_creates_nothing(limited: Any) -> None:
    client = limited({"register": RateLimit(1, 3600)})
    first = {"email": "a@example.fr", "password": STRONG, "firstName": "A", "lastName": "B"}
    await client.mutate_ok(REGISTER, input=first)
    before = await counts()
    second = await client.refused(REGISTER, input={**first, "email": "b@example.fr"})
    assert second == ["RATE_LIMITED"]
    assert await counts() == before
    assert not await Account.filter(email="b@example.fr").exists()


async def test_reset_requests_and_invitations_share_the_mail_limit(limited: Any) -> None:
    client = limited({"mail": RateLimit(4, 3600)})
    data = await client.query(RESETS)
    assert codes_of(data) == [[]] * 4 + [["RATE_LIMITED"]] * 6


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(limited: Any) -> None:
    client = limited({"login": RateLimit(2, 60)})
    for hop in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client.http.headers["X-Forwarded-For"] = hop
        await client.query(aliased_logins(1))
    assert codes_of(await client.query(aliased_logins(1))) == [["RATE_LIMITED"]]


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(limited: Any) -> None:
    # httpx's ASGI transport connects from 127.0.0.1: here, the proxy.
    client = limited({"login": RateLimit(2, 60)}, trusted_proxies=("127.0.0.0/8",))
    client.http.headers["X-Forwarded-For"] = "203.0.113.7"
    assert codes_of(await client.query(aliased_logins(3))) == [["INVALID_CREDENTIALS"]] * 2 + [
        ["RATE_LIMITED"]
    ]
    # A client cannot hide behind an address it writes itself: the proxy's hop is the last.
    client.http.headers["X-Forwarded-For"] = "198.51.100.1, 203.0.113.7"
    assert codes_of(await client.query(aliased_logins(1))) == [["RATE_LIMITED"]]
    client.http.headers["X-Forwarded-For"] = "203.0.113.8"
    assert codes_of(await client.query(aliased_logins(1))) == [["INVALID_CREDENTIALS"]]


async def test_the_default_limits_let_an_office_log_in_and_stop_a_script(limited: Any) -> None:
    client = limited()
    allowed = DEFAULT_RATE_LIMITS["login"].count
    codes: list[list[str]] = []
    while len(codes) < allowed + 5:  # an office: many people, each mistyping once
        codes += codes_of(await client.query(aliased_logins(25, "p{i}@example.fr", len(codes))))
    refused = len(codes) - allowed
    assert codes == [["INVALID_CREDENTIALS"]] * allowed + [["RATE_LIMITED"]] * refused


async def test_with_rate_limits_off_nothing_is_ever_rate_limited(anonymous: GraphQLClient) -> None:
    codes: list[list[str]] = []
    for _ in range(5):
        codes += codes_of(await anonymous.query(aliased_logins(25, "p{i}@example.fr", len(codes))))
    assert "RATE_LIMITED" not in {code for found in codes for code in found}
    assert len(codes) > DEFAULT_RATE_LIMITS["login"].count


def test_rate_limits_are_on_by_default_and_off_with_comptoir_rate_limits_0() -> None:
    assert Settings.from_env({}).rate_limits == DEFAULT_RATE_LIMITS
    assert Settings.from_env({"COMPTOIR_RATE_LIMITS": "0"}).rate_limits == {}
    tuned = Settings.from_env({"COMPTOIR_RATE_LIMIT_LOGIN": "5/30"}).rate_limits
    assert tuned == {**DEFAULT_RATE_LIMITS, "login": RateLimit(5, 30)}
    assert Settings.from_env({}).account_mails_per_hour == 5
    assert (
        Settings.from_env(
            {"COMPTOIR_RATE_LIMITS": "0", "COMPTOIR_ACCOUNT_MAILS_PER_HOUR": "2"}
        ).account_mails_per_hour
        == 2
    )


async def test_an_unknown_address_locks_exactly_like_a_known_one(anonymous: GraphQLClient) -> None:
    await register_and_confirm(anonymous, "lea@example.fr")
    known = codes_of(await anonymous.query(aliased_logins(7, "lea@example.fr")))
    unknown = codes_of(await anonymous.query(aliased_logins(7, "nobody@example.fr")))
    assert known == unknown == [["INVALID_CREDENTIALS"]] * 5 + [["ACCOUNT_LOCKED"]] * 2
    assert not await Account.filter(email="nobody@example.fr").exists()


async def test_a_lock_of_an_unknown_address_ends_like_an_accounts(anonymous: GraphQLClient) -> None:
    await anonymous.query(aliased_logins(5))
    await AddressLockout.filter(email="nobody@example.fr").update(
        locked_until=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert codes_of(await anonymous.query(aliased_logins(1))) == [["INVALID_CREDENTIALS"]]


async def test_concurrent_uses_never_take_more_than_the_limit() -> None:
    limit = RateLimit(5, 60)
    taken = await asyncio.gather(*(take("race", limit) for _ in range(30)))
    assert taken.count(True) == 5
    assert (await Throttle.get(key="race")).count == 5


async def test_counters_idle_for_a_day_are_forgotten() -> None:
    await take("old", RateLimit(5, 60), now=datetime.now(UTC) - timedelta(days=2))
    await take("recent", RateLimit(5, 60))
    await AddressLockout.create(email="gone@example.fr")
    await AddressLockout.filter(email="gone@example.fr").update(
        updated_at=datetime.now(UTC) - timedelta(days=2)
    )
    assert await forget_ended_windows() == 2
    assert [row.key for row in await Throttle.all()] == ["recent"]


async def test_invitations_count_in_the_mail_limit_and_a_refused_one_invites_no_one(
    limited: Any, company_member: GraphQLClient
) -> None:
    client = limited({"mail": RateLimit(2, 3600)})
    main = await login_as(client.http, await Account.get(email="main@acme.fr"))
    await client.mutate_ok(REQUEST_RESET, email="lea@example.fr")
    invited = await main.mutate_ok(INVITE, email="first@corp.fr", rights=["PLACE_ORDERS"])
    assert invited["invitationSent"] is True
    before = await counts()
    tokens = await AccountToken.all().count()
    refused = await main.refused(INVITE, email="second@corp.fr", rights=["PLACE_ORDERS"])
    assert refused == ["RATE_LIMITED"]
    assert await counts() == before
    assert await AccountToken.all().count() == tokens
    assert await OutboxMail.filter(recipient="second@corp.fr").count() == 0


async def test_links_from_mails_are_rate_limited_and_a_refused_one_changes_nothing(
    limited: Any, anonymous: GraphQLClient
) -> None:
    await register_and_confirm(anonymous, "lea@example.fr")
    await request_reset(anonymous, "lea@example.fr")
    token = await link_token("lea@example.fr", "reset-password")
    client = limited({"token": RateLimit(2, 600)})
    assert await client.refused(CONFIRM, token="not-a-token") == ["INVALID_TOKEN"]
    assert await client.refused(RESET_PASSWORD, token="not-a-token", password=STRONG + "!") == [
        "INVALID_TOKEN"
    ]
    before = (await Account.get(email="lea@example.fr")).password_hash
    refused = await client.refused(RESET_PASSWORD, token=token, password=STRONG + "!")
    assert refused == ["RATE_LIMITED"]
    assert (await Account.get(email="lea@example.fr")).password_hash == before
    assert await AccountToken.filter(purpose=TokenPurpose.RESET_PASSWORD, used_at=None).count() == 1


def test_every_rate_limited_mutation_is_a_mutation_of_the_schema() -> None:
    schema = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
    mutations = schema.split("type Mutation {", 1)[1].split("}", 1)[0]
    names = {line.strip().split("(", 1)[0].split(":", 1)[0] for line in mutations.splitlines()}
    assert set(THROTTLED) <= names
    assert set(THROTTLED.values()) == set(DEFAULT_RATE_LIMITS)
