"""Two-factor (TOTP): start, confirm, login with a code, disable."""

from __future__ import annotations

import asyncio
import time

import pyotp
import pytest

from models.accounts import Account
from tests.accounts_helpers import ME, account, login_codes, login_token, otp_for
from tests.clients import GraphQLClient
from tests.factories import PASSWORD

START = "mutation { startTwoFactor { errors { code } secret otpauthUri } }"
CONFIRM_2FA = """
mutation($otp: String!) {
  confirmTwoFactor(otp: $otp) { errors { code field } account { twoFactorEnabled } }
}"""
DISABLE = """
mutation($password: String!, $otp: String!) {
  disableTwoFactor(password: $password, otp: $otp) {
    errors { code field } account { twoFactorEnabled }
  }
}"""
EMAIL = "buyer@example.fr"


async def _enable(buyer: GraphQLClient) -> tuple[str, str]:
    """Turns two-factor on for the buyer; returns (secret, the code that confirmed it)."""
    secret = (await buyer.mutate_ok(START))["secret"]
    code = otp_for(secret)
    payload = await buyer.mutate_ok(CONFIRM_2FA, otp=code)
    assert payload["account"] == {"twoFactorEnabled": True}
    return secret, code


async def test_start_gives_a_secret_and_an_otpauth_uri(buyer: GraphQLClient) -> None:
    payload = await buyer.mutate_ok(START)
    assert payload["otpauthUri"] == pyotp.TOTP(payload["secret"]).provisioning_uri(
        name=EMAIL, issuer_name="Comptoir"
    )
    assert (await buyer.query(ME))["me"]["twoFactorEnabled"] is False


async def test_a_wrong_code_does_not_enable_two_factor(buyer: GraphQLClient) -> None:
    secret = (await buyer.mutate_ok(START))["secret"]
    wrong = str((int(otp_for(secret)) + 1) % 10**6).zfill(6)
    assert await buyer.refused(CONFIRM_2FA, otp=wrong) == ["INVALID_OTP"]
    assert await buyer.refused(CONFIRM_2FA, otp="abc") == ["INVALID_OTP"]
    row = await account(EMAIL)
    assert row.totp_secret is None
    assert row.totp_last_step is None


async def test_confirming_needs_a_started_setup(buyer: GraphQLClient) -> None:
    assert await buyer.refused(CONFIRM_2FA, otp="123456") == ["TWO_FACTOR_NOT_STARTED"]


async def test_two_factor_cannot_be_started_twice(buyer: GraphQLClient) -> None:
    await _enable(buyer)
    assert await buyer.refused(START) == ["TWO_FACTOR_ALREADY_ENABLED"]


async def test_login_then_requires_a_fresh_code(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    secret, confirming_code = await _enable(buyer)
    assert await login_codes(anonymous, EMAIL, PASSWORD) == ["OTP_REQUIRED"]
    # The code that confirmed two-factor is spent.
    assert await login_codes(anonymous, EMAIL, PASSWORD, confirming_code) == ["INVALID_OTP"]
    next_code = otp_for(secret, 1)  # one step ahead is accepted (clock drift)
    await login_token(anonymous, EMAIL, PASSWORD, next_code)
    # Replayed, and any earlier step, is refused.
    assert await login_codes(anonymous, EMAIL, PASSWORD, next_code) == ["INVALID_OTP"]
    assert await login_codes(anonymous, EMAIL, PASSWORD, otp_for(secret)) == ["INVALID_OTP"]


async def test_a_code_two_steps_away_is_refused(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    secret, _ = await _enable(buyer)
    assert await login_codes(anonymous, EMAIL, PASSWORD, otp_for(secret, 2)) == ["INVALID_OTP"]
    assert await login_codes(anonymous, EMAIL, PASSWORD, otp_for(secret, -2)) == ["INVALID_OTP"]


async def test_a_wrong_password_is_invalid_credentials_even_with_two_factor(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    secret, _ = await _enable(buyer)
    assert await login_codes(anonymous, EMAIL, "wrong") == ["INVALID_CREDENTIALS"]
    assert await login_codes(anonymous, EMAIL, "wrong", otp_for(secret, 1)) == [
        "INVALID_CREDENTIALS"
    ]
    # A wrong password does not spend the code.
    await login_token(anonymous, EMAIL, PASSWORD, otp_for(secret, 1))


async def test_missing_and_wrong_codes_count_toward_the_lock_out(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    secret, _ = await _enable(buyer)
    for _ in range(3):
        assert await login_codes(anonymous, EMAIL, PASSWORD) == ["OTP_REQUIRED"]
    for _ in range(2):
        assert await login_codes(anonymous, EMAIL, PASSWORD, "000000") == ["INVALID_OTP"]
    assert await login_codes(anonymous, EMAIL, PASSWORD, otp_for(secret, 1)) == ["ACCOUNT_LOCKED"]


async def test_disabling_needs_the_password_and_a_fresh_code(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    secret, confirming_code = await _enable(buyer)
    assert await buyer.refused(DISABLE, password="wrong", otp=otp_for(secret, 1)) == [
        "INVALID_CREDENTIALS"
    ]
    assert await buyer.refused(DISABLE, password=PASSWORD, otp=confirming_code) == ["INVALID_OTP"]
    assert (await account(EMAIL)).totp_secret == secret
    payload = await buyer.mutate_ok(DISABLE, password=PASSWORD, otp=otp_for(secret, 1))
    assert payload["account"] == {"twoFactorEnabled": False}
    await login_token(anonymous, EMAIL, PASSWORD)


async def test_disabling_when_not_enabled_is_refused(buyer: GraphQLClient) -> None:
    assert await buyer.refused(DISABLE, password=PASSWORD, otp="123456") == [
        "TWO_FACTOR_NOT_STARTED"
    ]


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (START, {}),
        (CONFIRM_2FA, {"otp": "123456"}),
        (DISABLE, {"password": PASSWORD, "otp": "123456"}),
    ],
)
async def test_two_factor_needs_a_login(
    anonymous: GraphQLClient, document: str, variables: dict[str, str]
) -> None:
    assert await anonymous.error_codes(document, **variables) == ["UNAUTHENTICATED"]
    assert await Account.all().count() == 0


async def _away_from_a_step_boundary() -> None:
    """A code computed now stays in its step for the next two seconds."""
    left = 30 - time.time() % 30
    if left < 2:
        await asyncio.sleep(left + 0.05)


async def test_a_code_one_step_behind_is_accepted_once(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    secret, _ = await _enable(buyer)
    # As if two-factor had been confirmed long ago: no step of the last minute is used yet.
    await Account.filter(email=EMAIL).update(totp_last_step=None)
    await _away_from_a_step_boundary()
    previous = otp_for(secret, -1)
    await login_token(anonymous, EMAIL, PASSWORD, previous)
    assert await login_codes(anonymous, EMAIL, PASSWORD, previous) == ["INVALID_OTP"]


async def test_two_factor_turned_off_then_on_again_takes_the_new_secrets_first_code(
    buyer: GraphQLClient, anonymous: GraphQLClient
) -> None:
    secret, _ = await _enable(buyer)
    await buyer.mutate_ok(DISABLE, password=PASSWORD, otp=otp_for(secret, 1))
    new_secret, confirming_code = await _enable(buyer)
    assert new_secret != secret
    assert await login_codes(anonymous, EMAIL, PASSWORD, confirming_code) == ["INVALID_OTP"]
    await login_token(anonymous, EMAIL, PASSWORD, otp_for(new_secret, 1))
