"""Forgotten password (reset link by mail) and password change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.accounts import Account, AccountToken, ResetRequest, TokenPurpose
from realtime.log import atomic, mail_queued
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

# Reset requests read per query by the job.
BATCH = 100


async def request_password_reset(actor: Actor, *, email: str, policy: Policy) -> None:
    """Mail a reset link if the address has an account; the answer is the same either way.

    So is the work, so that its timing does not tell who has an account: the request is only
    recorded, one row whatever the address, and the mail doorbell rung after commit; the jobs
    runner answers it (`answer_reset_requests`).
    """
    async with atomic():
        await ResetRequest.create(email=normalize_email(email))
        await mail_queued(policy.doorbell)


async def answer_reset_requests(*, policy: Policy, batch: int = BATCH) -> int:
    """Answer every recorded reset request (a job): the link mailed to an address that has an
    account, within its hourly cap; nothing for any other. Returns how many were answered."""
    answered = after = 0
    while True:
        page = ResetRequest.filter(id__gt=after).order_by("id").limit(batch)
        requests = await page.values_list("id", "email")
        if not requests:
            return answered
        for request_id, address in requests:
            answered += await _answer(request_id, address, policy=policy)
        after = requests[-1][0]


async def _answer(request_id: int, address: str, *, policy: Policy) -> int:
    """One request in one transaction, claimed by deleting it: of two runners, the one whose
    DELETE finds the row answers it (on PostgreSQL the other's waits for that commit, then
    finds nothing)."""
    async with atomic():
        if not await ResetRequest.filter(id=request_id).delete():
            return 0
        account = None
        if len(address) <= MAX_EMAIL:  # a longer one names no account, not a truncated one's
            account = await Account.get_or_none(email=address, deleted_at__isnull=True)
        if account is not None:
            lifetime = timedelta(minutes=policy.reset_token_minutes)
            token = await issue_token(TokenPurpose.RESET_PASSWORD, lifetime, account_id=account.id)
            await mails.reset_mail(
                to=account.email, first_name=account.first_name, token=token, policy=policy
            )
    return 1


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
        await revoke_sessions(account.id, policy=policy)


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
        await revoke_sessions(account_id, keep_session_id=actor.session_id, policy=policy)
