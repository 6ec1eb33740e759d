"""Document numbers: per seller and calendar year, one sequence for invoices and credit notes.

Never `MAX(sequence) + 1`: two transactions would read the same maximum.  The seller's counter
row is incremented in the issuing transaction instead; the increment locks that one row until
commit (PostgreSQL) or runs under the write lock that `BEGIN IMMEDIATE` took (SQLite), so
concurrent issuers for one seller queue on it while other sellers' issuers do not, and a
rollback returns the number.
"""

from __future__ import annotations

import re

from tortoise.expressions import F

from models.invoices import InvoiceCounter
from resolvers.search_text import fold

_NOT_LETTER = re.compile(r"[^A-Z]")


def seller_prefix(seller_id: int, seller_name: str) -> str:
    """Up to four letters of the shop's name, then its id: "BATI7" (the digits are the id, so
    two sellers never share a prefix)."""
    letters = _NOT_LETTER.sub("", fold(seller_name).upper())[:4] or "V"
    return f"{letters}{seller_id}"


async def take_number(*, seller_id: int, seller_name: str, year: int) -> tuple[int, str]:
    """The seller's next sequence number of `year` and the document number made from it.

    Call inside the issuing transaction: the counter stays locked until it ends.
    """
    counter = InvoiceCounter.filter(seller_id=seller_id, year=year)
    if not await counter.update(last_sequence=F("last_sequence") + 1):
        # The year's first document: make the row (a concurrent first issuer may make it
        # first; ON CONFLICT DO NOTHING waits for it, then leaves its row), then increment.
        await InvoiceCounter.bulk_create(
            [
                InvoiceCounter(
                    seller_id=seller_id,
                    year=year,
                    last_sequence=0,
                    prefix=seller_prefix(seller_id, seller_name),
                )
            ],
            ignore_conflicts=True,
        )
        await counter.update(last_sequence=F("last_sequence") + 1)
    row = await InvoiceCounter.get(seller_id=seller_id, year=year)
    return row.last_sequence, f"{row.prefix}-{year}-{row.last_sequence:06d}"
