"""Automatic persisted queries, as Apollo Client and urql send them.

A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the document; if
the server knows the hash it runs the document it stored, otherwise it answers the standard
`PersistedQueryNotFound` error and the client resends the document with its hash, which is
checked and stored. A lost entry therefore costs one extra round trip, never a wrong answer:
that is why each process may keep its own bounded copy.

Stores: an LRU bounded in bytes in every process, and, when REDIS_URL is set, Redis shared by
every process and host (entries expire after a while), so a document registered through one
worker is found by the others.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from graphql import GraphQLError
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

log = logging.getLogger("comptoir.persisted")

NOT_FOUND = "PersistedQueryNotFound"
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
HASH = re.compile(r"[0-9a-f]{64}")
REDIS_PREFIX = "comptoir:apq:"


def _refusal(message: str, code: str) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


class DocumentCache:
    """Documents by hash, least recently used first out, at most `max_bytes` of text."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._documents: OrderedDict[str, str] = OrderedDict()

    def get(self, key: str) -> str | None:
        document = self._documents.get(key)
        if document is not None:
            self._documents.move_to_end(key)
        return document

    def put(self, key: str, document: str) -> None:
        cost = len(document.encode())
        if cost > self.max_bytes or key in self._documents:
            return
        self._documents[key] = document
        self.size += cost
        while self.size > self.max_bytes:
            _, evicted = self._documents.popitem(last=False)
            self.size -= len(evicted.encode())

    def __len__(self) -> int:
        return len(self._documents)


class PersistedQueries:
    """Resolves a request's persisted-query extension into its document (or the refusal)."""

    def __init__(
        self, *, max_bytes: int, redis_url: str | None = None, redis_ttl_seconds: float = 7 * 86400
    ) -> None:
        self.local = DocumentCache(max_bytes)
        self.redis_ttl_seconds = redis_ttl_seconds
        self._redis: Any = None
        if redis_url:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    async def _shared_get(self, key: str) -> str | None:
        if self._redis is None:
            return None
        try:
            raw = await self._redis.get(REDIS_PREFIX + key)
        except Exception as error:  # Redis away: a miss, the client resends the document
            log.warning("persisted queries: Redis unreachable (%s)", type(error).__name__)
            return None
        return raw.decode() if raw is not None else None

    async def _shared_put(self, key: str, document: str) -> None:
        if self._redis is None:
            return
        try:
            await self._redis.set(
                REDIS_PREFIX + key, document, ex=max(1, round(self.redis_ttl_seconds))
            )
        except Exception as error:  # the local copy still serves this process
            log.warning("persisted queries: Redis unreachable (%s)", type(error).__name__)

    async def resolve(self, data: GraphQLRequestData) -> GraphQLRequestData | ExecutionResult:
        """The request with its document, or the error result to send instead."""
        persisted = (data.extensions or {}).get("persistedQuery")
        if persisted is None:
            return data
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            return _refusal("Unsupported persisted query version", "INVALID_INPUT")
        key = persisted.get("sha256Hash")
        if not isinstance(key, str) or not HASH.fullmatch(key):
            return _refusal("Invalid persisted query hash", "INVALID_INPUT")
        if data.query is None:
            document = self.local.get(key)
            if document is None:
                document = await self._shared_get(key)
                if document is None:
                    return _refusal(NOT_FOUND, NOT_FOUND_CODE)
                self.local.put(key, document)
            return replace(data, query=document)
        # Registration: the document must be the hash's, or another client asking for that
        # hash would run someone else's operation.
        if hashlib.sha256(data.query.encode()).hexdigest() != key:
            return _refusal("provided sha does not match query", "INVALID_INPUT")
        if self.local.get(key) is None:
            self.local.put(key, data.query)
            await self._shared_put(key, data.query)
        return data
