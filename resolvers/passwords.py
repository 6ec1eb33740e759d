"""Password hashing with argon2id; parameters come from the policy."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from resolvers.policy import Policy


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher(*, policy: Policy) -> PasswordHasher:
    return _hasher(policy.argon2_time_cost, policy.argon2_memory_kib, policy.argon2_parallelism)


def hash_password(password: str, *, policy: Policy) -> str:
    return hasher(policy=policy).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    # A hash carries its own parameters: verifying needs none of today's.
    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, *, policy: Policy) -> bool:
    """True when the stored hash was made with other parameters than today's."""
    return hasher(policy=policy).check_needs_rehash(password_hash)


# argon2 runs in C without the GIL: off the event loop, other requests keep being served.
async def hash_password_async(password: str, *, policy: Policy) -> str:
    return await asyncio.to_thread(hash_password, password, policy=policy)


async def verify_password_async(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash("no account has this password")


def dummy_hash(*, policy: Policy) -> str:
    """A hash with today's parameters that no password matches: checking a password against it
    costs what checking a real one does, so unknown e-mails answer in the same time."""
    return _dummy_hash(policy.argon2_time_cost, policy.argon2_memory_kib, policy.argon2_parallelism)
