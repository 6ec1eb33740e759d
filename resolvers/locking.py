"""Row locks for read-then-write decisions inside a transaction."""

from __future__ import annotations

from typing import TypeVar

from tortoise import connections
from tortoise.models import Model

M = TypeVar("M", bound=Model)


async def locked(model: type[M], pk: int) -> M:
    """The row, locked to the end of the transaction (SQLite serialises writers already)."""
    query = model.filter(pk=pk)
    if connections.get("default").capabilities.dialect == "postgres":
        query = query.select_for_update()
    return await query.get()
