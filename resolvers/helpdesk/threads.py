"""Who sees a thread, the thread lists of each kind of viewer, read state and message pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum

from tortoise import connections
from tortoise.expressions import Q
from tortoise.functions import Count

from models.accounts import Account, Role
from models.helpdesk import Message, Thread
from models.orders import Order
from resolvers.actor import Actor, require_login
from resolvers.clock import utc_now
from resolvers.errors import DomainError, ErrorCode, QueryError
from resolvers.orders import can_see_order
from resolvers.pagination import Page, PageRequest, cursor_int, page_of


class Side(StrEnum):
    """The two parties of a thread: the buyer, and the seller (or, on tickets, the platform)."""

    BUYER = "BUYER"
    OTHER = "OTHER"


def can_see_thread(actor: Actor, thread: Thread) -> bool:
    """Participants and admins only."""
    if actor.account_id is None:
        return False
    if actor.is_admin or actor.account_id == thread.buyer_id:
        return True
    return thread.seller_id is not None and thread.seller_id == actor.seller_id


def side_of(actor: Actor, thread: Thread) -> Side | None:
    """The viewer's side, or None for an admin reading a buyer–seller thread (an observer)."""
    if actor.account_id is not None and actor.account_id == thread.buyer_id:
        return Side.BUYER
    if thread.seller_id is not None and thread.seller_id == actor.seller_id:
        return Side.OTHER
    if thread.seller_id is None and actor.is_admin:
        return Side.OTHER
    return None


async def get_thread(actor: Actor, *, thread_id: int) -> Thread | None:
    """The thread if the caller may see it; None otherwise (someone else's looks missing)."""
    require_login(actor)
    thread = await Thread.get_or_none(id=thread_id)
    if thread is None or not can_see_thread(actor, thread):
        return None
    return thread


async def visible_thread(actor: Actor, *, thread_id: int, field: str = "threadId") -> Thread:
    """The thread for a mutation, or NOT_FOUND."""
    thread = await get_thread(actor, thread_id=thread_id)
    if thread is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Aucune conversation avec cet identifiant", field)
    return thread


def _after_thread(after: list[object]) -> Q:
    try:
        at_raw, pk = after
        at = datetime.fromisoformat(str(at_raw))
        if at.tzinfo is None:
            raise ValueError(after)
        cursor_int(pk)
    except ValueError as exc:
        raise QueryError(ErrorCode.INVALID_INPUT, "Curseur invalide") from exc
    at = at.astimezone(UTC)
    return Q(last_message_at__lt=at) | Q(last_message_at=at, id__lt=pk)


async def list_threads(
    actor: Actor,
    *,
    page: PageRequest,
    overdue: bool | None = None,
    flagged: bool | None = None,
    order_id: int | None = None,
    ticket: bool | None = None,
    reviewed: bool | None = None,
    now: datetime | None = None,
) -> Page[Thread]:
    """The caller's threads, most recently active first; admins see every thread."""
    require_login(actor)
    now = utc_now(now)
    query = Thread.all()
    if actor.is_seller:
        if actor.seller_id is None:  # filtering on None would read as IS NULL: every ticket
            return Page(items=[], has_next_page=False)
        query = query.filter(seller_id=actor.seller_id)
    elif not actor.is_admin:
        query = query.filter(buyer_id=actor.account_id)
    if flagged is not None:
        query = query.filter(flagged=flagged)
    if reviewed is not None:
        # Reviewed: no flagged message of the thread waits for an admin's decision.
        query = query.filter(awaiting_review=not reviewed)
    if overdue is True:
        query = query.filter(response_due_at__lt=now)
    elif overdue is False:
        query = query.filter(Q(response_due_at__isnull=True) | Q(response_due_at__gte=now))
    if order_id is not None:
        query = query.filter(order_id=order_id)
    if ticket is not None:
        query = query.filter(seller_id__isnull=ticket)
    if page.after is not None:
        query = query.filter(_after_thread(page.after))
    rows = await query.order_by("-last_message_at", "-id").limit(page.first + 1)
    return page_of(rows, page, lambda t: (t.last_message_at.isoformat(), t.id))


MessagesKey = tuple[int, int, int]


def messages_key(actor: Actor, thread: Thread, page: PageRequest) -> MessagesKey | None:
    """What `message_pages` needs for one page of a thread's messages; None: nothing visible."""
    after_id = 0
    if page.after is not None:
        (after_id, *rest) = page.after
        if rest:
            raise QueryError(ErrorCode.INVALID_INPUT, "Curseur invalide")
        cursor_int(after_id)
    if not can_see_thread(actor, thread):
        return None
    return (thread.id, page.first, after_id)


async def message_pages(keys: Sequence[MessagesKey]) -> list[Page[Message]]:
    """Pages of many threads' messages, oldest first: one ranked query per distinct page shape.

    A list of threads asks every thread for the same page, so an inbox showing each thread's
    first messages costs two queries whatever its length.
    """
    wanted: dict[tuple[int, int], set[int]] = {}
    for thread_id, size, after_id in keys:
        wanted.setdefault((size, after_id), set()).add(thread_id)
    conn = connections.get("default")
    found: dict[tuple[int, int, int], list[Message]] = {}
    for (size, after_id), thread_ids in wanted.items():
        # Only integers reach this text (keys are built by messages_key from validated ints).
        ids = ",".join(str(int(t)) for t in sorted(thread_ids))
        ranked = await conn.execute_query_dict(
            "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY thread_id ORDER BY id)"
            f" AS rn FROM message WHERE thread_id IN ({ids}) AND id > {int(after_id)}) AS r"
            f" WHERE rn <= {int(size) + 1}"
        )
        rows = await Message.filter(id__in=[r["id"] for r in ranked]).order_by("id")
        for row in rows:
            found.setdefault((row.thread_id, size, after_id), []).append(row)
    return [
        page_of(found.get(key, []), PageRequest(first=key[1], after=None), lambda m: (m.id,))
        for key in keys
    ]


async def mark_thread_read(actor: Actor, *, thread_id: int, now: datetime | None = None) -> Thread:
    """Mark the other side's messages read; an admin observing a seller thread changes nothing."""
    thread = await visible_thread(actor, thread_id=thread_id)
    side = side_of(actor, thread)
    if side is None:
        return thread
    others = Message.filter(thread_id=thread.id, read_at__isnull=True)
    if side is Side.BUYER:
        others = others.exclude(author_role=Role.BUYER)
    else:
        others = others.filter(author_role=Role.BUYER)
    await others.update(read_at=utc_now(now))
    return thread


UnreadKey = tuple[int, Side]


def unread_key(actor: Actor, thread: Thread) -> UnreadKey | None:
    """What to count for the viewer's unread messages in `thread` (None: always 0)."""
    side = side_of(actor, thread)
    return None if side is None else (thread.id, side)


async def unread_counts(keys: Sequence[UnreadKey]) -> list[int]:
    """Unread messages from the other side, for many (thread, viewer side) keys in one query."""
    rows = await (
        Message.filter(thread_id__in=list({k[0] for k in keys}), read_at__isnull=True)
        .annotate(n=Count("id"))
        .group_by("thread_id", "author_role")
        .values("thread_id", "author_role", "n")
    )
    by_buyer: dict[int, int] = {}
    by_other: dict[int, int] = {}
    for row in rows:
        target = by_buyer if row["author_role"] == Role.BUYER else by_other
        target[row["thread_id"]] = target.get(row["thread_id"], 0) + int(row["n"])
    return [
        (by_other if side is Side.BUYER else by_buyer).get(thread_id, 0) for thread_id, side in keys
    ]


def shown_account(account: Account | None) -> Account | None:
    """An author or buyer as others see them: a deleted account shows as nobody."""
    if account is None or account.deleted_at is not None:
        return None
    return account


def shown_order(actor: Actor, order: Order | None) -> Order | None:
    """A thread's order, if the viewer may still see it (a colleague may have lost the right)."""
    return order if order is not None and can_see_order(actor, order) else None
