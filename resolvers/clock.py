"""The one clock of the rules: injected in tests, UTC everywhere."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now(now: datetime | None = None) -> datetime:
    """The injected clock (tests) or the real one, in UTC.

    SQLite compares stored datetimes as text, so every instant we write or filter on must
    carry the same (UTC) offset.
    """
    return (now or datetime.now(UTC)).astimezone(UTC)
