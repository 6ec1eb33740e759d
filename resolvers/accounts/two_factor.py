"""Two-factor authentication with TOTP (RFC 6238): 30 s steps, ±1 step, each code used once."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
from tortoise.expressions import Q

from models.accounts import Account
from realtime.log import atomic
from resolvers.accounts.rules import password_matches
from resolvers.actor import Actor, require_login
from resolvers.errors import DomainError, ErrorCode
from resolvers.policy import Policy

ISSUER = "Comptoir"


@dataclass(frozen=True)
class TwoFactorSetup:
    secret: str
    otpauth_uri: str


def _matching_step(secret: str, otp: str, now: datetime) -> int | None:
    """The time step (previous, current or next) whose code is `otp`."""
    code = otp.replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def _use_step(account: Account, step: int) -> bool:
    """Record `step` as used; the UPDATE only moves forward, so a replayed code (same or earlier
    step) is refused even when two requests race with it."""
    used = await Account.filter(
        Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step), id=account.id
    ).update(totp_last_step=step)
    if used:
        account.totp_last_step = step
    return used == 1


async def accept_otp(
    account: Account, otp: str, now: datetime, *, secret: str | None = None
) -> bool:
    """True and the code's step recorded if `otp` is valid and unused for the account's secret."""
    step = _matching_step(secret or account.totp_secret or "", otp, now)
    return step is not None and await _use_step(account, step)


def _invalid_otp() -> DomainError:
    return DomainError(ErrorCode.INVALID_OTP, "Code de double authentification invalide", "otp")


async def _own_account(actor: Actor) -> Account:
    return await Account.get(id=require_login(actor), deleted_at__isnull=True)


async def start_two_factor(actor: Actor) -> TwoFactorSetup:
    """A new secret to load into an authenticator app; active once confirmed with a code."""
    account = await _own_account(actor)
    if account.totp_secret is not None:
        raise DomainError(
            ErrorCode.TWO_FACTOR_ALREADY_ENABLED, "La double authentification est déjà active"
        )
    secret = pyotp.random_base32()
    # A new secret has no used code yet: steps recorded under an earlier secret would refuse
    # the confirming code for as long as they stay ahead of the clock.
    await Account.filter(id=account.id).update(totp_pending_secret=secret, totp_last_step=None)
    uri = pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=ISSUER)
    return TwoFactorSetup(secret=secret, otpauth_uri=uri)


async def confirm_two_factor(actor: Actor, *, otp: str) -> Account:
    """Turn two-factor on with a first valid code, which cannot then be used to log in."""
    account = await _own_account(actor)
    if account.totp_secret is not None:
        raise DomainError(
            ErrorCode.TWO_FACTOR_ALREADY_ENABLED, "La double authentification est déjà active"
        )
    secret = account.totp_pending_secret
    if secret is None:
        raise DomainError(ErrorCode.TWO_FACTOR_NOT_STARTED, "Commencez par startTwoFactor")
    async with atomic():
        if not await accept_otp(account, otp, datetime.now(UTC), secret=secret):
            raise _invalid_otp()
        account.totp_secret = secret
        account.totp_pending_secret = None
        await account.save(update_fields=["totp_secret", "totp_pending_secret", "updated_at"])
    return account


async def disable_two_factor(actor: Actor, *, password: str, otp: str, policy: Policy) -> Account:
    """Turn two-factor off; needs the password and a fresh code."""
    account = await _own_account(actor)
    if not await password_matches(account, password, policy=policy):
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, "Mot de passe incorrect", "password")
    if account.totp_secret is None:
        raise DomainError(
            ErrorCode.TWO_FACTOR_NOT_STARTED, "La double authentification n'est pas active"
        )
    async with atomic():
        if not await accept_otp(account, otp, datetime.now(UTC)):
            raise _invalid_otp()
        account.totp_secret = None
        account.totp_pending_secret = None
        await account.save(update_fields=["totp_secret", "totp_pending_secret", "updated_at"])
    return account
