"""Forgotten password (reset link by mail) and password change."""

from __future__ import annotations

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
from resolvers.accounts.tokens import draw_token, issue_token, use_token, valid_token
from resolvers.actor import Actor, require_login
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.passwords import hash_password_async
from resolvers.policy import Policy
from resolvers.sessions import revoke_sessions


async def request_password_reset(actor: Actor, *, email: str, policy: Policy) -> None:
    """Mail a reset link if the address has an account; the answer is the same either way.

    So is the work, so that its timing does not tell who has an account: an unknown address
    goes through the same steps and round trips (token drawn and hashed, mail slot taken, mail
    written out, doorbell rung), its two INSERTs replaced by UPDATEs that match no row.
    """
    address = normalize_email(email)
    account = None
    if len(address) <= MAX_EMAIL:  # a longer one names no account, not a truncated one's
        account = await Account.get_or_none(email=address, deleted_at__isnull=True)
    lifetime = timedelta(minutes=policy.reset_token_minutes)
    async with atomic():
        if account is None:
            token = await draw_token(TokenPurpose.RESET_PASSWORD, lifetime)
            await mails.reset_mail(
                to=address, first_name="", token=token, policy=policy, queue=mails.no_mail
            )
            return
        token = await issue_token(TokenPurpose.RESET_PASSWORD, lifetime, account_id=account.id)
        await mails.reset_mail(
            to=account.email, first_name=account.first_name, token=token, policy=policy
        )


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
