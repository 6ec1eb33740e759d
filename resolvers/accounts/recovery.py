"""Forgotten password (reset link by mail) and password change."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from models.accounts import Account, AccountToken, TokenPurpose
from realtime.log import atomic
from resolvers.accounts import mails
from resolvers.accounts.rules import (
    MAX_EMAIL,
    check_password,
    normalize_email,
    password_matches,
)
from resolvers.accounts.tokens import issue_token, use_token, valid_token
from resolvers.actor import Actor, require_login
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.passwords import hash_password_async
from resolvers.policy import Policy
from resolvers.sessions import revoke_sessions


class _KnownPathTiming:
    """How long a reset request for a known address takes (moving average), so a request for an
    unknown address can take as long: the answer's timing must not reveal who has an account."""

    def __init__(self) -> None:
        self.known = 0.002
        # asyncio sleeps overshoot (the event loop polls with millisecond timeouts): learnt and
        # taken off the next sleep.
        self.overshoot = 0.0

    def observe(self, seconds: float) -> None:
        self.known = 0.8 * self.known + 0.2 * min(seconds, 1.0)

    async def pad(self, started: float) -> None:
        wanted = self.known - (time.perf_counter() - started)
        asked = max(0.0, wanted - self.overshoot)
        before = time.perf_counter()
        await asyncio.sleep(asked)
        slept = time.perf_counter() - before
        self.overshoot = 0.8 * self.overshoot + 0.2 * min(max(slept - asked, 0.0), 0.05)


_timing = _KnownPathTiming()


async def request_password_reset(actor: Actor, *, email: str, policy: Policy) -> None:
    """Mail a reset link if the address has an account; the answer is the same either way."""
    started = time.perf_counter()
    address = normalize_email(email)
    account = None
    if len(address) <= MAX_EMAIL:  # a longer one names no account, not a truncated one's
        account = await Account.get_or_none(email=address, deleted_at__isnull=True)
    if account is None:
        # The same counter write as a known address's mail, so both answers cost alike.
        async with atomic():
            await mails.mail_slot(address, policy=policy)
        await _timing.pad(started)
        return
    async with atomic():
        token = await issue_token(
            TokenPurpose.RESET_PASSWORD,
            timedelta(minutes=policy.reset_token_minutes),
            account_id=account.id,
        )
        await mails.reset_mail(
            to=account.email, first_name=account.first_name, token=token, policy=policy
        )
    _timing.observe(time.perf_counter() - started)


async def reset_password(actor: Actor, *, token: str, new_password: str, policy: Policy) -> None:
    """Set a new password from a reset link (single use); every session is revoked."""
    row = await valid_token(TokenPurpose.RESET_PASSWORD, token)
    with Problems() as problems:
        check_password(problems, new_password, "newPassword")
    password_hash = await hash_password_async(new_password, policy=policy)
    async with atomic():
        await use_token(row)
        account = await Account.get_or_none(id=row.account_id, deleted_at__isnull=True)
        if account is None:
            raise DomainError(ErrorCode.INVALID_TOKEN, "Lien invalide ou déjà utilisé", "token")
        account.password_hash = password_hash
        # The link came by mail: the address is proven.
        account.email_confirmed_at = account.email_confirmed_at or datetime.now(UTC)
        await account.save(update_fields=["password_hash", "email_confirmed_at", "updated_at"])
        # Older reset links would otherwise still change the new password.
        await AccountToken.filter(
            account_id=account.id, purpose=TokenPurpose.RESET_PASSWORD, used_at__isnull=True
        ).update(used_at=datetime.now(UTC))
        await revoke_sessions(account.id)


async def change_password(
    actor: Actor, *, current_password: str, new_password: str, policy: Policy
) -> None:
    """Change the password; every other session of the account is revoked, the caller's kept."""
    account_id = require_login(actor)
    account = await Account.get(id=account_id, deleted_at__isnull=True)
    if not await password_matches(account, current_password, policy=policy):
        raise DomainError(
            ErrorCode.INVALID_CREDENTIALS, "Mot de passe actuel incorrect", "currentPassword"
        )
    with Problems() as problems:
        check_password(problems, new_password, "newPassword")
    password_hash = await hash_password_async(new_password, policy=policy)
    async with atomic():
        changed = await Account.filter(id=account_id, password_hash=account.password_hash).update(
            password_hash=password_hash
        )
        if not changed:  # changed by a concurrent request since we checked the current one
            raise DomainError(
                ErrorCode.INVALID_CREDENTIALS, "Mot de passe actuel incorrect", "currentPassword"
            )
        await revoke_sessions(account_id, keep_session_id=actor.session_id)
