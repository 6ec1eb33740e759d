"""Login with lock-out and two-factor, and logout.

Lock-out rule (API.md, Sessions): the 5th consecutive failed login since the last success or the
end of the last lock locks the account for COMPTOIR_LOCKOUT_MINUTES from that failure; while
locked every attempt gets ACCOUNT_LOCKED and does not count.  A failure is a wrong password, or a
missing or wrong OTP when two-factor is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from models.abuse import AddressLockout
from models.accounts import Account, Session
from models.events import EventKind
from realtime.log import append_event, atomic
from resolvers.accounts.rules import normalize_email, password_matches
from resolvers.accounts.two_factor import accept_otp
from resolvers.actor import Actor, require_login
from resolvers.errors import DomainError, ErrorCode
from resolvers.passwords import hash_password_async, needs_rehash
from resolvers.policy import Policy
from resolvers.sessions import open_session


@dataclass(frozen=True)
class LoginResult:
    token: str
    account: Account


def _locked(account: Account | AddressLockout | None, now: datetime) -> bool:
    return account is not None and account.locked_until is not None and account.locked_until > now


def _locked_error() -> DomainError:
    return DomainError(
        ErrorCode.ACCOUNT_LOCKED,
        "Trop de tentatives : compte verrouillé temporairement, réessayez plus tard",
    )


async def _record_failure(
    account: Account | AddressLockout, now: datetime, *, policy: Policy
) -> None:
    """Count one failure on a row locked by the caller's transaction (FOR UPDATE on PostgreSQL,
    BEGIN IMMEDIATE on SQLite), so concurrent attempts each count."""
    # An expired lock restarts the count: this failure is the first since the lock ended.
    count = 1 if account.locked_until is not None else account.failed_logins + 1
    account.failed_logins = count
    account.locked_until = None
    if count >= policy.lockout_attempts:
        account.locked_until = now + timedelta(minutes=policy.lockout_minutes)
    await account.save(update_fields=["failed_logins", "locked_until", "updated_at"])


async def login(
    actor: Actor, *, email: str, password: str, otp: str | None = None, policy: Policy
) -> LoginResult:
    """Open a session; see the module docstring for lock-out and two-factor."""
    now = datetime.now(UTC)
    address = normalize_email(email)
    found = await Account.get_or_none(email=address, deleted_at__isnull=True)
    if _locked(found, now) or (
        found is None and _locked(await AddressLockout.get_or_none(email=address), now)
    ):
        raise _locked_error()
    # The slow argon2 check runs before the transaction, so the row lock is held briefly.
    password_ok = await password_matches(found, password, policy=policy)
    if found is None:
        await _unknown_address_failed(address, policy=policy)
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, "E-mail ou mot de passe incorrect")

    refusal: DomainError | None = None
    async with atomic():
        # A request that waited here re-reads the row as committed by the one ahead of it
        # (FOR UPDATE under READ COMMITTED), so a lock set meanwhile is seen just below.
        account = await Account.select_for_update().get(id=found.id)
        now = datetime.now(UTC)
        if _locked(account, now):
            refusal = _locked_error()
        elif not password_ok:
            await _record_failure(account, now, policy=policy)
            refusal = DomainError(ErrorCode.INVALID_CREDENTIALS, "E-mail ou mot de passe incorrect")
        elif account.email_confirmed_at is None:
            refusal = DomainError(
                ErrorCode.EMAIL_NOT_CONFIRMED,
                "Confirmez d'abord votre adresse e-mail (lien reçu par mail)",
            )
        elif account.totp_secret is not None and not otp:
            await _record_failure(account, now, policy=policy)
            refusal = DomainError(
                ErrorCode.OTP_REQUIRED, "Code de double authentification requis", "otp"
            )
        elif account.totp_secret is not None and not await accept_otp(account, otp or "", now):
            await _record_failure(account, now, policy=policy)
            refusal = DomainError(
                ErrorCode.INVALID_OTP, "Code de double authentification invalide", "otp"
            )
        else:
            if account.failed_logins or account.locked_until is not None:
                account.failed_logins = 0
                account.locked_until = None
                await account.save(update_fields=["failed_logins", "locked_until", "updated_at"])
            token = await open_session(account, policy=policy)
    # The failure is committed above; only then is the refusal reported.
    if refusal is not None:
        raise refusal
    if needs_rehash(account.password_hash, policy=policy):
        new_hash = await hash_password_async(password, policy=policy)
        # Only if the password did not change meanwhile.
        await Account.filter(id=account.id, password_hash=account.password_hash).update(
            password_hash=new_hash
        )
        account.password_hash = new_hash
    return LoginResult(token=token, account=account)


async def _unknown_address_failed(address: str, *, policy: Policy) -> None:
    """Count a failure against an address with no account, as an account's would be counted:
    its 5th failure locks it too, so ACCOUNT_LOCKED says nothing about who has an account.
    (The locked answer itself was given before the password check, as for an account.)"""
    await AddressLockout.bulk_create([AddressLockout(email=address)], ignore_conflicts=True)
    async with atomic():
        row = await AddressLockout.select_for_update().get(email=address)
        if not _locked(row, datetime.now(UTC)):
            await _record_failure(row, datetime.now(UTC), policy=policy)


async def logout(actor: Actor, *, policy: Policy) -> None:
    """Revoke the caller's session (and close its live subscriptions)."""
    account_id = require_login(actor)
    async with atomic():
        revoked = await Session.filter(id=actor.session_id, revoked_at__isnull=True).update(
            revoked_at=datetime.now(UTC)
        )
        if revoked:
            await append_event(
                EventKind.SESSION_REVOKED,
                {"session_id": actor.session_id},
                doorbell=policy.doorbell,
                account_id=account_id,
                session_id=actor.session_id,
            )
