"""Shared helpers for the account and mail tests: documents, outbox reading, OTP codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp

from models.accounts import Account
from models.events import Event
from models.mail import OutboxMail
from resolvers.accounts.recovery import answer_reset_requests
from tests.clients import GraphQLClient
from tests.configuration import POLICY

ACCOUNT_FIELDS = (
    "id email firstName lastName role postalCode rights twoFactorEnabled "
    "company { id name vatNumber country }"
)

REGISTER = f"""
mutation($input: RegisterInput!) {{
  register(input: $input) {{ errors {{ code field message }} account {{ {ACCOUNT_FIELDS} }} }}
}}"""
CONFIRM = """
mutation($token: String!) {
  confirmEmail(token: $token) { errors { code field } account { email } }
}"""
LOGIN = """
mutation($email: String!, $password: String!, $otp: String) {
  login(email: $email, password: $password, otp: $otp) {
    errors { code field } token account { id email }
  }
}"""
LOGOUT = "mutation { logout { errors { code } } }"
REQUEST_RESET = """
mutation($email: String!) { requestPasswordReset(email: $email) { errors { code } } }"""
RESET_PASSWORD = """
mutation($token: String!, $password: String!) {
  resetPassword(token: $token, newPassword: $password) { errors { code field } }
}"""
CHANGE_PASSWORD = """
mutation($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) { errors { code field } }
}"""
ME = "{ me { id email firstName lastName postalCode twoFactorEnabled rights } }"

STRONG = "Un mot de passe solide 42"


def registration(email: str = "new.buyer@example.fr", **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "email": email,
        "password": STRONG,
        "firstName": "Léa",
        "lastName": "Durand",
        "role": "BUYER",
        "postalCode": "75011",
    }
    values.update(extra)
    return values


def company_input(**extra: Any) -> dict[str, Any]:
    values = {
        "name": "ACME Bâtiment",
        "vatNumber": "40 303 265 045",
        "country": "FR",
        "line1": "12 rue des Artisans",
        "postalCode": "69003",
        "city": "Lyon",
    }
    values.update(extra)
    return values


async def mails_to(address: str) -> list[OutboxMail]:
    return list(await OutboxMail.filter(recipient=address).order_by("id"))


async def link_token(address: str, path: str) -> str:
    """The token in the last mail to `address` linking to `{PUBLIC_URL}/{path}`."""
    mails = await mails_to(address)
    assert mails, f"no mail to {address}"
    found = re.search(rf"http://testserver\.local/{path}\?token=([A-Za-z0-9_\-]+)", mails[-1].body)
    assert found, mails[-1].body
    return found.group(1)


async def request_reset(client: GraphQLClient, email: str) -> None:
    """requestPasswordReset through the API, then answered as the jobs runner would (the
    suite's app runs no jobs)."""
    assert await client.mutate(REQUEST_RESET, email=email) == {"errors": []}
    await answer_reset_requests(policy=POLICY)


async def register_and_confirm(anonymous: GraphQLClient, email: str, **extra: Any) -> str:
    """Registers and confirms through the API; returns the account's id."""
    payload = await anonymous.mutate_ok(REGISTER, input=registration(email, **extra))
    await anonymous.mutate_ok(CONFIRM, token=await link_token(email, "confirm-email"))
    return str(payload["account"]["id"])


async def login_token(
    client: GraphQLClient, email: str, password: str, otp: str | None = None
) -> str:
    payload = await client.mutate_ok(LOGIN, email=email, password=password, otp=otp)
    return str(payload["token"])


async def login_codes(
    client: GraphQLClient, email: str, password: str, otp: str | None = None
) -> list[str]:
    return await client.refused(LOGIN, email=email, password=password, otp=otp)


def otp_for(secret: str, steps_from_now: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(datetime.now(UTC) + timedelta(seconds=30 * steps_from_now))


async def account(email: str) -> Account:
    return await Account.get(email=email)


async def counts() -> tuple[int, int, int]:
    """(accounts, outbox mails, events): a refused call changes none of them."""
    return (await Account.all().count(), await OutboxMail.all().count(), await Event.all().count())
