"""Posting messages: validation, off-platform contact flags, the SLA clock and the event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from models.accounts import Role
from models.events import EventKind
from models.helpdesk import Message, Thread
from realtime.log import append_event, atomic
from resolvers.actor import Actor, require_login
from resolvers.clock import utc_now
from resolvers.contact_details import find_contact_details
from resolvers.deadlines import thread_deadline_moved
from resolvers.errors import ErrorCode, Forbidden, Problem, Problems
from resolvers.helpdesk import sla
from resolvers.helpdesk.threads import Side, side_of, visible_thread
from resolvers.locking import locked
from resolvers.policy import Policy

# A module reference, not its names: the rating reads the SLA module of this package.
from resolvers.standing import rating

MAX_BODY = 10_000
MAX_SUBJECT = 200

_KIND_LABELS = {
    "email": "adresse e-mail",
    "phone": "numéro de téléphone",
    "url": "adresse web",
    "iban": "IBAN",
}


@dataclass(frozen=True)
class Posted:
    """A message just posted, and what its author should be told about it."""

    message: Message
    warnings: list[Problem] = field(default_factory=list)


def check_body(problems: Problems, body: str) -> None:
    if not body.strip():
        problems.invalid("Le message est vide", "body")
    elif len(body) > MAX_BODY:
        problems.invalid(f"Le message dépasse {MAX_BODY} caractères", "body")


def one_line(text: str) -> str:
    """A subject on one line: it also heads the seller's notification mail."""
    return " ".join(text.split())


def check_subject(problems: Problems, subject: str | None) -> None:
    if subject is not None and not 1 <= len(one_line(subject)) <= MAX_SUBJECT:
        problems.invalid(f"Le sujet doit faire de 1 à {MAX_SUBJECT} caractères", "subject")


def contact_warnings(kinds: list[str]) -> list[Problem]:
    """Seed 004 forbids taking the conversation off the platform: tell the author."""
    if not kinds:
        return []
    found = ", ".join(_KIND_LABELS[k] for k in kinds)
    return [
        Problem(
            ErrorCode.CONTACT_DETAILS_NOT_ALLOWED,
            f"Les coordonnées ne sont pas autorisées dans la messagerie ({found}) : les échanges "
            "doivent rester sur la plateforme. Le message a été transmis et signalé à "
            "l'administrateur.",
            "body",
        )
    ]


async def insert_message(
    thread: Thread,
    *,
    author_id: int | None,
    role: Role,
    body: str,
    now: datetime,
    policy: Policy,
) -> Message:
    """Add a message and bring the thread's SLA and flag columns up to date.

    Runs inside the caller's transaction, which must hold the thread row locked so two
    messages of one thread never recompute its deadline from stale rows.
    """
    kinds = find_contact_details(body)
    # Only buyer–seller threads carry the seller's SLA; tickets are answered by the platform.
    due = (
        sla.deadline(now, policy=policy)
        if role is Role.BUYER and thread.seller_id is not None
        else None
    )
    message = await Message.create(
        thread_id=thread.id,
        author_id=author_id,
        author_role=role,
        body=body.strip(),
        sent_at=now,
        flagged=bool(kinds),
        flagged_kinds=kinds,
        due_at=due,
    )
    if role is Role.SELLER and thread.seller_id is not None:
        await sla.answer_buyer_messages(thread.id, at=now)
        await rating.refresh_ratings([thread.seller_id], now=now)
    due_before = thread.response_due_at
    thread.response_due_at = await sla.earliest_deadline(thread.id)
    if thread.response_due_at != due_before:
        thread.overdue_reminded = False
        await thread_deadline_moved(thread, at=now)
    thread.flagged = thread.flagged or bool(kinds)
    thread.awaiting_review = thread.awaiting_review or bool(kinds)
    thread.last_message_at = max(thread.last_message_at, now)
    await thread.save(
        update_fields=[
            "response_due_at",
            "overdue_reminded",
            "flagged",
            "awaiting_review",
            "last_message_at",
        ]
    )
    return message


async def announce(thread: Thread, message: Message, *, policy: Policy) -> None:
    """The message's event in the log: call last in the transaction."""
    await append_event(
        EventKind.MESSAGE,
        {"thread_id": thread.id, "message_id": message.id},
        doorbell=policy.doorbell,
        at=message.sent_at,
        thread_id=thread.id,
        buyer_id=thread.buyer_id,
        seller_id=thread.seller_id,
    )


async def lock_thread(thread_id: int) -> Thread:
    """The thread row, locked to the end of the transaction."""
    return await locked(Thread, thread_id)


def author_role(actor: Actor, side: Side | None) -> Role:
    """The role a message is posted with; admins never post in a buyer–seller thread."""
    if side is None or actor.role is None:
        raise Forbidden("Les administrateurs lisent les conversations vendeur sans y écrire")
    return actor.role


async def post_message(
    actor: Actor, *, thread_id: int, body: str, policy: Policy, now: datetime | None = None
) -> Posted:
    """Reply in a thread the caller takes part in (admins: support tickets only)."""
    require_login(actor)
    thread = await visible_thread(actor, thread_id=thread_id)
    role = author_role(actor, side_of(actor, thread))
    with Problems() as problems:
        check_body(problems, body)
    async with atomic():
        thread = await lock_thread(thread.id)
        # Stamped once the lock is held, so sending order is commit order within a thread.
        now = utc_now(now)
        message = await insert_message(
            thread, author_id=actor.account_id, role=role, body=body, now=now, policy=policy
        )
        await announce(thread, message, policy=policy)
    return Posted(message=message, warnings=contact_warnings(message.flagged_kinds))
