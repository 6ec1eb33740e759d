"""Requests that must happen once: a key sent by the client makes a retry return the first
result instead of acting twice (reserveCart, resolveClaim)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from tortoise.exceptions import IntegrityError

from models.orders import IdempotencyKey
from realtime.log import atomic
from resolvers.errors import DomainError, ErrorCode

T = TypeVar("T")

# A retry that lost the race for its key waits for the winner's commit, then reads its result.
_KEY_ATTEMPTS = 5


def digest(value: object) -> str:
    """SHA-256 of a JSON-able value, stable across key order."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def reused(message: str = "Cette clé a déjà servi pour une autre demande.") -> DomainError:
    return DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, message, "idempotencyKey")


async def once(
    *,
    account_id: int,
    scope: str,
    key: str,
    request_hash: str,
    hours: float,
    now: datetime,
    replay: Callable[[IdempotencyKey], Awaitable[T]],
    perform: Callable[[IdempotencyKey], Awaitable[T]],
) -> T:
    """`perform` once per (account, scope, key) within `hours`; later calls get `replay`.

    `perform` runs inside the transaction that inserts the key row, first thing: a concurrent
    request with the same key blocks on the unique constraint until that transaction ends,
    then fails and replays the committed result (or performs itself if the first rolled
    back). `perform` stores what it made in the row (`result_ids`, and saves it). The same key
    with another request hash is IDEMPOTENCY_KEY_REUSED.
    """
    cutoff = now - timedelta(hours=hours)
    for _ in range(_KEY_ATTEMPTS):
        row = await IdempotencyKey.get_or_none(account_id=account_id, scope=scope, key=key)
        if row is not None and row.created_at >= cutoff:
            if row.request_hash != request_hash:
                raise reused()
            return await replay(row)
        try:
            async with atomic():
                if row is not None:
                    await IdempotencyKey.filter(id=row.id, created_at__lt=cutoff).delete()
                fresh = await IdempotencyKey.create(
                    account_id=account_id,
                    scope=scope,
                    key=key,
                    request_hash=request_hash,
                    created_at=now,
                )
                return await perform(fresh)
        except IntegrityError:
            # Another request with this key committed first; the next round replays it.
            if not await IdempotencyKey.exists(account_id=account_id, scope=scope, key=key):
                raise
            await asyncio.sleep(0)
    raise reused("Requête en cours avec cette clé.")
