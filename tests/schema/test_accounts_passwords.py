"""requestPasswordReset, resetPassword and changePassword over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from models.accounts import Account, AccountToken, Role, TokenPurpose
from models.events import Event, EventKind
from tests.accounts_helpers import (
    CHANGE_PASSWORD,
    ME,
    RESET_PASSWORD,
    STRONG,
    account,
    counts,
    link_token,
    login_codes,
    login_token,
    mails_to,
    request_reset,
)
from tests.clients import GraphQLClient
from tests.factories import PASSWORD, login_as, make_account

EMAIL = "buyer@example.fr"


async def test_a_reset_link_sets_a_new_password_and_revokes_every_session(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await request_reset(anonymous, "Buyer@Example.fr")
    (mail,) = await mails_to(EMAIL)
    assert mail.subject == "Réinitialisation de votre mot de passe"
    assert "60 minutes" in mail.body
    token = await link_token(EMAIL, "reset-password")
    assert await anonymous.mutate(RESET_PASSWORD, token=token, password=STRONG) == {"errors": []}
    assert await buyer.error_codes(ME) == ["UNAUTHENTICATED"]
    assert await login_codes(anonymous, EMAIL, PASSWORD) == ["INVALID_CREDENTIALS"]
    await login_token(anonymous, EMAIL, STRONG)
    assert await Event.filter(kind=EventKind.SESSION_REVOKED).count() == 1


async def test_an_unknown_email_gets_the_same_answer_and_no_mail(
    anonymous: GraphQLClient,
) -> None:
    before = await counts()
    await request_reset(anonymous, "nobody@example.fr")
    await request_reset(anonymous, "not even an e-mail")
    assert await counts() == before
    assert await AccountToken.all().count() == 0


async def test_an_overlong_address_is_not_cut_down_to_someone_elses(
    anonymous: GraphQLClient,
) -> None:
    longest = "a" * 240 + "@example.fr.eu"
    assert len(longest) == 254
    await make_account(Role.BUYER, email=longest)
    before = await counts()
    await request_reset(anonymous, longest + "x")
    assert await counts() == before
    await request_reset(anonymous, longest.upper())
    assert len(await mails_to(longest)) == 1


async def test_a_reset_link_works_once(buyer: GraphQLClient, anonymous: GraphQLClient) -> None:
    await request_reset(anonymous, EMAIL)
    token = await link_token(EMAIL, "reset-password")
    await anonymous.mutate_ok(RESET_PASSWORD, token=token, password=STRONG)
    assert await anonymous.refused(RESET_PASSWORD, token=token, password=STRONG + "!") == [
        "INVALID_TOKEN"
    ]
    await login_token(anonymous, EMAIL, STRONG)


async def test_a_reset_voids_the_older_links(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await request_reset(anonymous, EMAIL)
    older = await link_token(EMAIL, "reset-password")
    await request_reset(anonymous, EMAIL)
    newer = await link_token(EMAIL, "reset-password")
    await anonymous.mutate_ok(RESET_PASSWORD, token=newer, password=STRONG)
    assert await anonymous.refused(RESET_PASSWORD, token=older, password=STRONG + "!") == [
        "INVALID_TOKEN"
    ]


async def test_a_reset_link_expires_after_the_configured_minutes(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await request_reset(anonymous, EMAIL)
    token = await link_token(EMAIL, "reset-password")
    row = await AccountToken.get(purpose=TokenPurpose.RESET_PASSWORD)
    assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(minutes=60)
    await AccountToken.filter(id=row.id).update(expires_at=datetime.now(UTC))
    old_hash = (await account(EMAIL)).password_hash
    assert await anonymous.refused(RESET_PASSWORD, token=token, password=STRONG) == [
        "TOKEN_EXPIRED"
    ]
    assert (await account(EMAIL)).password_hash == old_hash
    assert (await buyer.query(ME))["me"]["email"] == EMAIL


@pytest.mark.parametrize("token", ["", "unknown", "é" * 300])
async def test_unknown_reset_tokens_are_invalid(anonymous: GraphQLClient, token: str) -> None:
    assert await anonymous.refused(RESET_PASSWORD, token=token, password=STRONG) == [
        "INVALID_TOKEN"
    ]


async def test_a_confirmation_token_is_not_a_reset_token(anonymous: GraphQLClient) -> None:
    await make_account(Role.BUYER, email="late@example.fr", confirmed=False)
    await request_reset(anonymous, "late@example.fr")
    token = await link_token("late@example.fr", "reset-password")
    await AccountToken.filter(purpose=TokenPurpose.RESET_PASSWORD).update(
        purpose=TokenPurpose.CONFIRM_EMAIL
    )
    assert await anonymous.refused(RESET_PASSWORD, token=token, password=STRONG) == [
        "INVALID_TOKEN"
    ]


async def test_a_weak_new_password_keeps_the_link_usable(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await request_reset(anonymous, EMAIL)
    token = await link_token(EMAIL, "reset-password")
    payload = await anonymous.mutate(RESET_PASSWORD, token=token, password="faible")
    assert payload["errors"] == [{"code": "WEAK_PASSWORD", "field": "newPassword"}]
    assert (await buyer.query(ME))["me"]["email"] == EMAIL
    await anonymous.mutate_ok(RESET_PASSWORD, token=token, password=STRONG)


async def test_a_reset_confirms_an_unconfirmed_address(anonymous: GraphQLClient) -> None:
    await make_account(Role.BUYER, email="late@example.fr", confirmed=False)
    await request_reset(anonymous, "late@example.fr")
    token = await link_token("late@example.fr", "reset-password")
    assert (await account("late@example.fr")).email_confirmed_at is None
    await anonymous.mutate_ok(RESET_PASSWORD, token=token, password=STRONG)
    assert (await account("late@example.fr")).email_confirmed_at is not None
    anonymous.token = await login_token(anonymous, "late@example.fr", STRONG)
    assert (await anonymous.query(ME))["me"]["email"] == "late@example.fr"


async def test_change_password_keeps_the_caller_and_revokes_the_other_sessions(
    buyer: GraphQLClient, http: httpx.AsyncClient, anonymous: GraphQLClient
) -> None:
    other_device = await login_as(http, await account(EMAIL))
    assert await buyer.mutate(CHANGE_PASSWORD, current=PASSWORD, new=STRONG) == {"errors": []}
    assert (await buyer.query(ME))["me"]["email"] == EMAIL
    assert await other_device.error_codes(ME) == ["UNAUTHENTICATED"]
    await login_token(anonymous, EMAIL, STRONG)
    revoked = await Event.filter(kind=EventKind.SESSION_REVOKED).values_list("payload", flat=True)
    assert len(revoked) == 1


async def test_a_wrong_current_password_changes_nothing(
    buyer: GraphQLClient, http: httpx.AsyncClient
) -> None:
    other_device = await login_as(http, await account(EMAIL))
    old_hash = (await account(EMAIL)).password_hash
    before = await counts()
    payload = await buyer.mutate(CHANGE_PASSWORD, current="wrong", new=STRONG)
    assert payload["errors"] == [{"code": "INVALID_CREDENTIALS", "field": "currentPassword"}]
    assert (await account(EMAIL)).password_hash == old_hash
    assert (await other_device.query(ME))["me"]["email"] == EMAIL
    assert await counts() == before


async def test_a_weak_new_password_is_refused(buyer: GraphQLClient) -> None:
    old_hash = (await account(EMAIL)).password_hash
    payload = await buyer.mutate(CHANGE_PASSWORD, current=PASSWORD, new="1111111111")
    assert payload["errors"] == [{"code": "WEAK_PASSWORD", "field": "newPassword"}]
    assert (await account(EMAIL)).password_hash == old_hash


async def test_change_password_needs_a_login(anonymous: GraphQLClient) -> None:
    assert await anonymous.error_codes(CHANGE_PASSWORD, current=PASSWORD, new=STRONG) == [
        "UNAUTHENTICATED"
    ]
    assert await Account.all().count() == 0
