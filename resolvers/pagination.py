"""Keyset pagination: pages are read by key, so a deep page costs what the first one does."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from resolvers.errors import ErrorCode, QueryError

T = TypeVar("T")
M = TypeVar("M", bound=Model)

DEFAULT_PAGE = 20
MAX_PAGE = 100
# Cursors are the client's to tamper with: a key the column cannot hold must be refused here,
# not crash the database driver (PostgreSQL's integer columns are 32-bit, bigint 64-bit).
MAX_ID = 2**31 - 1
MAX_BIGINT = 2**63 - 1


@dataclass(frozen=True)
class PageRequest:
    first: int
    after: list[Any] | None

    @classmethod
    def of(cls, first: int | None, after: str | None) -> PageRequest:
        """Validate `first` (1..100, default 20) and decode the `after` cursor."""
        size = DEFAULT_PAGE if first is None else first
        if size < 0 or size > MAX_PAGE:
            raise QueryError(
                ErrorCode.INVALID_INPUT, f"first doit être compris entre 0 et {MAX_PAGE}"
            )
        return cls(first=size, after=None if after is None else decode_cursor(after))


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[tuple[str, T]]
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1][0] if self.items else None


# Made once: `json.dumps` with options builds a new encoder per call, once per row of a page.
_CURSOR_JSON = json.JSONEncoder(separators=(",", ":"), default=str)


def encode_cursor(key: Sequence[Any]) -> str:
    raw = _CURSOR_JSON.encode(list(key)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise QueryError(ErrorCode.INVALID_INPUT, "Curseur invalide") from exc
    if not isinstance(key, list) or not key:
        raise QueryError(ErrorCode.INVALID_INPUT, "Curseur invalide")
    return key


def cursor_int(value: object, *, upper: int = MAX_ID) -> int:
    """An integer cursor component within the column's range, else INVALID_INPUT."""
    if type(value) is not int or not -upper <= value <= upper:
        raise QueryError(ErrorCode.INVALID_INPUT, "Curseur invalide")
    return value


def page_of(rows: list[T], request: PageRequest, key: Any) -> Page[T]:
    """Cut rows fetched with `limit first + 1` into a page; `key(row)` gives the sort key."""
    has_next = len(rows) > request.first
    kept = rows[: request.first]
    return Page(items=[(encode_cursor(key(r)), r) for r in kept], has_next_page=has_next)


async def newest_first(query: QuerySet[M], page: PageRequest) -> Page[M]:
    """One page of `query`, highest id first (the cursor holds the last id seen)."""
    if page.after is not None:
        (last_id,) = page.after
        query = query.filter(id__lt=cursor_int(last_id))
    rows = list(await query.order_by("-id").limit(page.first + 1))
    return page_of(rows, page, key=lambda row: [row.pk])


def time_window(
    after: datetime | None, before: datetime | None, names: tuple[str, str]
) -> tuple[datetime | None, datetime | None]:
    """A list's date filter: a moment without an offset is read as UTC (the API's time zone);
    INVALID_INPUT when `after` is later than `before` (`names` are the arguments')."""
    after, before = _aware(after), _aware(before)
    if after is not None and before is not None and after > before:
        raise QueryError(ErrorCode.INVALID_INPUT, f"{names[0]} est postérieur à {names[1]}")
    return after, before


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
