"""Bearer sessions: opaque random tokens, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from models.accounts import Account, CompanyRight, Role, Seller, Session
from models.events import EventKind
from realtime.log import append_event
from resolvers.actor import Actor
from resolvers.errors import Unauthenticated
from resolvers.policy import Policy

# Unknown, revoked, expired or malformed: the caller is told the same (in French, as every
# message a user reads).
INVALID_TOKEN = "Jeton invalide ou expiré"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and its hash; only the hash is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


async def open_session(account: Account, *, policy: Policy) -> str:
    """Create a session for `account` and return its bearer token (shown once)."""
    token, digest = new_token()
    expires = datetime.now(UTC) + timedelta(days=policy.session_days)
    await Session.create(account=account, token_hash=digest, expires_at=expires)
    return token


async def actor_for_token(token: str) -> Actor:
    """The Actor behind a bearer token; unknown, revoked or expired → Unauthenticated."""
    session = await Session.get_or_none(token_hash=hash_token(token)).select_related("account")
    now = datetime.now(UTC)
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        raise Unauthenticated(INVALID_TOKEN)
    account = session.account
    if account.deleted_at is not None:
        raise Unauthenticated(INVALID_TOKEN)
    seller = None
    if account.role is Role.SELLER:
        seller = await Seller.get_or_none(account_id=account.id)
    return Actor(
        account_id=account.id,
        role=account.role,
        session_id=session.id,
        seller_id=seller.id if seller is not None else None,
        company_id=account.company_id,
        rights=frozenset(CompanyRight(r) for r in account.rights),
    )


async def revoke_sessions(
    account_id: int, *, keep_session_id: int | None = None, policy: Policy
) -> list[int]:
    """Revoke the account's live sessions (all but `keep_session_id`), inside `atomic()`.

    Each revocation is an event, so every worker closes that session's sockets.
    """
    now = datetime.now(UTC)
    query = Session.filter(account_id=account_id, revoked_at__isnull=True)
    if keep_session_id is not None:
        query = query.exclude(id=keep_session_id)
    ids = [row.id for row in await query.only("id")]
    if ids:
        await Session.filter(id__in=ids).update(revoked_at=now)
        for session_id in ids:
            await append_event(
                EventKind.SESSION_REVOKED,
                {"session_id": session_id},
                doorbell=policy.doorbell,
                account_id=account_id,
                session_id=session_id,
            )
    return ids
