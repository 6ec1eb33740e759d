"""Numbers people read out on the phone: "<PREFIX>-<year>-<id, 6 digits>" (CMD-2026-000123)."""

from __future__ import annotations

import uuid
from datetime import datetime

from models.orders import Order
from models.quotes import Quote


def provisional_number() -> str:
    """A unique placeholder until the row's id, which the number is built from, is known."""
    return f"TMP-{uuid.uuid4().hex[:24]}"


async def assign_number(row: Order | Quote, prefix: str, at: datetime) -> None:
    """Number a freshly created row from its id (hence unique), inside its transaction."""
    row.number = f"{prefix}-{at.year}-{row.id:06d}"
    await row.save(update_fields=["number"])
