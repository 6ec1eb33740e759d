"""Counting uses per key in a window: per-client rate limits and the per-address mail cap.

The counter is a database row updated with conditional UPDATEs, so workers on several hosts
share it and two racing requests can never both take the last use of a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import F

from models.abuse import AddressLockout, Throttle

# Rows of windows that ended longer ago than this are deleted by the jobs runner.
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class RateLimit:
    count: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """`"100/60"`: 100 uses per 60 seconds."""
        count, _, seconds = text.partition("/")
        return cls(int(count), float(seconds))


# Per client address. A shared office NAT of a few hundred people stays far below these; a
# script trying addresses or flooding mailboxes from one address meets them within minutes.
# Each can be set with COMPTOIR_RATE_LIMIT_<RULE>="count/seconds" (windows up to a day).
DEFAULT_RATE_LIMITS: dict[str, RateLimit] = {
    "login": RateLimit(100, 60),
    "register": RateLimit(60, 3600),
    "mail": RateLimit(60, 3600),  # reset requests, invitations
    "token": RateLimit(120, 600),  # links from mails: confirmation, reset, invitation
}


async def take(key: str, limit: RateLimit, *, now: datetime | None = None) -> bool:
    """Count one use of `key`; False, and nothing counted, when its window is already full."""
    now = now or datetime.now(UTC)
    key = key[:300]
    await Throttle.bulk_create(
        [Throttle(key=key, window_start=now, count=0)], ignore_conflicts=True
    )
    # A window that has ended starts again from this use.
    await Throttle.filter(key=key, window_start__lte=now - timedelta(seconds=limit.seconds)).update(
        window_start=now, count=0
    )
    taken = await Throttle.filter(key=key, count__lt=limit.count).update(count=F("count") + 1)
    return taken == 1


async def forget_ended_windows() -> int:
    """Delete counters idle for a day (rate windows, mail caps, unknown-address lock-outs)."""
    before = datetime.now(UTC) - KEEP
    deleted = await Throttle.filter(window_start__lt=before).delete()
    deleted += await AddressLockout.filter(updated_at__lt=before).delete()
    return deleted
