"""Single-use tokens sent by mail: e-mail confirmation, password reset, colleague invitation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.accounts import AccountToken, TokenPurpose
from resolvers.errors import DomainError, ErrorCode
from resolvers.sessions import hash_token, new_token

# Longer strings are not tokens we issued: refused before any query.
MAX_TOKEN = 200


async def issue_token(
    purpose: TokenPurpose,
    lifetime: timedelta,
    *,
    account_id: int | None,
    data: dict[str, Any] | None = None,
) -> str:
    """Store a new token (hashed) inside the caller's transaction; returns the clear token."""
    token, digest = new_token()
    await AccountToken.create(
        purpose=purpose,
        account_id=account_id,
        token_hash=digest,
        data=data or {},
        expires_at=datetime.now(UTC) + lifetime,
    )
    return token


async def valid_token(purpose: TokenPurpose, token: str) -> AccountToken:
    """The unused, unexpired token row; INVALID_TOKEN (used, unknown, malformed) or
    TOKEN_EXPIRED (known, unused, past its lifetime)."""
    row = None
    if 0 < len(token) <= MAX_TOKEN:
        row = await AccountToken.get_or_none(token_hash=hash_token(token), purpose=purpose)
    if row is None or row.used_at is not None:
        raise DomainError(ErrorCode.INVALID_TOKEN, "Lien invalide ou déjà utilisé", "token")
    if row.expires_at <= datetime.now(UTC):
        raise DomainError(ErrorCode.TOKEN_EXPIRED, "Ce lien a expiré", "token")
    return row


async def use_token(row: AccountToken) -> None:
    """Mark the token used, inside the caller's transaction.  The UPDATE re-checks `used_at`, so
    of two requests racing with one token only one goes through."""
    won = await AccountToken.filter(id=row.id, used_at__isnull=True).update(
        used_at=datetime.now(UTC)
    )
    if won != 1:
        raise DomainError(ErrorCode.INVALID_TOKEN, "Lien invalide ou déjà utilisé", "token")
