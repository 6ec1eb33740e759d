"""create_app(settings) alone decides what the resolvers see: two apps built in one process
from different settings serve side by side, each answers by its own settings and rings its own
broadcast."""

from __future__ import annotations

import asyncio
import dataclasses
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from comptoir.app import create_app
from comptoir.settings import Settings
from models.accounts import Role, Session
from realtime.doorbell import CHANNEL, MAIL_CHANNEL, Doorbell
from realtime.log import last_event_id
from resolvers.accounts.recovery import answer_reset_requests
from resolvers.policy import Policy
from tests.accounts_helpers import REQUEST_RESET, login_token, mails_to
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.configuration import SETTINGS, Configured
from tests.factories import PASSWORD, make_account
from tests.helpdesk_helpers import OPEN_THREAD, gid

# Each differs from the suite's settings (tests/conftest.py and the defaults).
OTHER: dict[str, Any] = {
    "public_url": "https://autre.example.fr",
    "session_days": 2.0,
    "sla_business_hours": 8.0,
    "account_mails_per_hour": 1,
}
OTHER_POLICY = dataclasses.replace(SETTINGS, **OTHER).policy(doorbell=Doorbell())


@pytest.fixture
def other(configured: Configured) -> httpx.AsyncClient:
    return configured(**OTHER)


def test_the_two_settings_differ_where_the_tests_look(policy: Policy) -> None:
    assert all(getattr(policy, name) != value for name, value in OTHER.items())
    assert policy.account_mails_per_hour > 2


async def test_each_app_links_its_mails_to_its_own_url_and_caps_them_by_its_own_count(
    http: httpx.AsyncClient, other: httpx.AsyncClient, settings: Settings, policy: Policy
) -> None:
    await make_account(Role.BUYER, email="un@example.fr")
    await make_account(Role.BUYER, email="deux@example.fr")
    # Reset links are mailed by the jobs runner, built from its app's settings (`Deps`).
    for client, email, runner_policy in (
        (GraphQLClient(http), "un@example.fr", policy),
        (GraphQLClient(other), "deux@example.fr", OTHER_POLICY),
    ):
        for _ in range(2):
            await client.mutate_ok(REQUEST_RESET, email=email)
        await answer_reset_requests(policy=runner_policy)
    by_ours, by_theirs = await mails_to("un@example.fr"), await mails_to("deux@example.fr")
    assert len(by_ours) == 2
    assert all(f"{settings.public_url}/reset-password?token=" in m.body for m in by_ours)
    (mail,) = by_theirs  # one account mail an hour in the other app
    assert "https://autre.example.fr/reset-password?token=" in mail.body
    assert settings.public_url not in mail.body


async def test_each_app_gives_its_sessions_its_own_lifetime(
    http: httpx.AsyncClient, other: httpx.AsyncClient, settings: Settings
) -> None:
    first = await make_account(Role.BUYER, email="un@example.fr")
    second = await make_account(Role.BUYER, email="deux@example.fr")
    await asyncio.gather(
        login_token(GraphQLClient(http), "un@example.fr", PASSWORD),
        login_token(GraphQLClient(other), "deux@example.fr", PASSWORD),
    )
    ours = await Session.get(account_id=first.id)
    theirs = await Session.get(account_id=second.id)
    assert ours.expires_at - ours.created_at > timedelta(days=settings.session_days - 1)
    assert timedelta(days=1) < theirs.expires_at - theirs.created_at <= timedelta(days=2)


async def test_each_app_counts_the_sellers_deadline_with_its_own_hours(
    http: httpx.AsyncClient,
    other: httpx.AsyncClient,
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    policy: Policy,
) -> None:
    products = [await make_product(seller), await make_product(other_seller)]
    ours = GraphQLClient(http, token=buyer.token)
    theirs = GraphQLClient(other, token=buyer.token)
    opened = await asyncio.gather(
        *(
            client.mutate_ok(
                OPEN_THREAD, input={"productId": gid("Product", product.id), "body": "Dispo ?"}
            )
            for client, product in zip((ours, theirs), products, strict=True)
        )
    )
    due = []
    for payload in opened:
        thread = payload["thread"]
        sent = datetime.fromisoformat(thread["messages"]["edges"][0]["node"]["sentAt"])
        due.append((sent, datetime.fromisoformat(thread["responseDueAt"])))
    (sent, ours_due), (their_sent, their_due) = due
    assert ours_due == policy.business_hours_after(sent, policy.sla_business_hours)
    assert their_due == OTHER_POLICY.business_hours_after(their_sent, 8)
    assert their_due != policy.business_hours_after(their_sent, policy.sla_business_hours)
    ours_mail, their_mail = [
        (await mails_to(address))[0] for address in ("seller@example.fr", "other.seller@example.fr")
    ]
    assert f"sous {policy.sla_business_hours:g} heures ouvrées" in ours_mail.body
    assert "sous 8 heures ouvrées" in their_mail.body
    assert "https://autre.example.fr" in their_mail.body


async def test_a_commit_through_one_app_rings_its_broadcast_never_the_other_apps(
    app: Starlette, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    """Each app's hub and mail sender hear its own commits only, whichever app opened last."""
    product = await make_product(seller)
    other = create_app(SETTINGS)
    lives = {"ours": app.state.live, "theirs": other.state.live}
    async with other.state.live.running(), AsyncExitStack() as stack:
        heard = {
            (name, channel): await stack.enter_async_context(live.broadcast.subscribe(channel))
            for name, live in lives.items()
            for channel in (CHANNEL, MAIL_CHANNEL)
        }
        await buyer.mutate_ok(
            OPEN_THREAD, input={"productId": gid("Product", product.id), "body": "Dispo ?"}
        )
        # Published after the commit's rings: whatever a broadcast carries first came before.
        for name, channel in heard:
            await lives[name].broadcast.publish(channel=channel, message="marker")
        first = {
            key: (await asyncio.wait_for(rings.get(), 5)).message for key, rings in heard.items()
        }
    assert first == {
        ("ours", CHANNEL): str(await last_event_id()),
        ("ours", MAIL_CHANNEL): "mail",
        ("theirs", CHANNEL): "marker",
        ("theirs", MAIL_CHANNEL): "marker",
    }
