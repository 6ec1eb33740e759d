"""Who a stream is for, in the terms of the event log's audience columns.

The same description answers three questions, so live routing, replay and the final check can
never disagree: which index keys a subscription listens on, which log rows a replay reads, and
whether one row may be delivered.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q

from models.events import Event, EventKind

# An index key: (kind, "all") or (kind, column, value), e.g. ("ORDER_STATUS", "seller", 3).
Key = tuple[object, ...]

_COLUMNS = ("buyer", "seller", "company", "order", "thread", "quote", "claim")


@dataclass(frozen=True)
class Audience:
    kind: EventKind
    everything: bool = False  # admins: every event of the kind
    buyer_id: int | None = None
    seller_id: int | None = None
    company_id: int | None = None
    # Narrowing to one order, thread, quote or claim, already authorised by the caller.
    order_id: int | None = None
    thread_id: int | None = None
    quote_id: int | None = None
    claim_id: int | None = None

    def index_keys(self) -> list[Key]:
        """The index keys to listen on: the narrowest that still see every admitted event."""
        if self.order_id is not None:
            return [(self.kind, "order", self.order_id)]
        if self.thread_id is not None:
            return [(self.kind, "thread", self.thread_id)]
        if self.quote_id is not None:
            return [(self.kind, "quote", self.quote_id)]
        if self.claim_id is not None:
            return [(self.kind, "claim", self.claim_id)]
        if self.everything:
            return [(self.kind, "all")]
        return [
            (self.kind, column, value)
            for column, value in (
                ("buyer", self.buyer_id),
                ("seller", self.seller_id),
                ("company", self.company_id),
            )
            if value is not None
        ]

    def admits(self, event: Event) -> bool:
        if event.kind != self.kind:
            return False
        if self.order_id is not None and event.order_id != self.order_id:
            return False
        if self.thread_id is not None and event.thread_id != self.thread_id:
            return False
        if self.quote_id is not None and event.quote_id != self.quote_id:
            return False
        if self.claim_id is not None and event.claim_id != self.claim_id:
            return False
        return self.everything or any(
            (
                self.buyer_id is not None and event.buyer_id == self.buyer_id,
                self.seller_id is not None and event.seller_id == self.seller_id,
                self.company_id is not None and event.company_id == self.company_id,
            )
        )

    def where(self) -> Q:
        """`admits` as a query filter, for replaying the log (the audience columns are indexed)."""
        query = Q(kind=self.kind)
        if self.order_id is not None:
            query &= Q(order_id=self.order_id)
        if self.thread_id is not None:
            query &= Q(thread_id=self.thread_id)
        if self.quote_id is not None:
            query &= Q(quote_id=self.quote_id)
        if self.claim_id is not None:
            query &= Q(claim_id=self.claim_id)
        if self.everything:
            return query
        visible = []
        if self.buyer_id is not None:
            visible.append(Q(buyer_id=self.buyer_id))
        if self.seller_id is not None:
            visible.append(Q(seller_id=self.seller_id))
        if self.company_id is not None:
            visible.append(Q(company_id=self.company_id))
        if not visible:
            return query & Q(id__lt=0)  # sees nothing
        return query & Q(*visible, join_type=Q.OR)


def event_keys(event: Event) -> list[Key]:
    """Every index key under which a subscription may be waiting for `event`."""
    keys: list[Key] = [(event.kind, "all")]
    for column in _COLUMNS:
        value = getattr(event, f"{column}_id")
        if value is not None:
            keys.append((event.kind, column, value))
    return keys
