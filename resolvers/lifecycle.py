"""The one recorder of every life cycle (orders, quotes, claims): the history row, the mails and
the event of a status change, written in the caller's transaction; and the one refusal of a
change its transition table does not allow.

Each life cycle keeps its own transition table and composes its own mail; what is recorded, and
in which order, and how a change outside the table is refused, is written here once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar, cast

from tortoise.models import Model

from models.accounts import Account, Role, Seller
from models.deadlines import DeadlineSource
from models.events import EventKind
from realtime.log import append_event
from resolvers.deadlines import StatusChange, touch_on_status
from resolvers.errors import DomainError, ErrorCode
from resolvers.mail import enqueue_mail
from resolvers.policy import Policy

S = TypeVar("S", bound=StrEnum)
H = TypeVar("H", bound=Model)


S_co = TypeVar("S_co", bound=StrEnum, covariant=True)


class Stated(Protocol[S_co]):
    """A row with a life cycle, as its status change reads it."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> S_co: ...


class Change(StatusChange, Protocol):
    """A history row of any life cycle, as its event shows it."""

    @property
    def reason(self) -> str | None: ...
    @property
    def actor_role(self) -> Role | None: ...


@dataclass(frozen=True)
class Move(Generic[S]):
    """One status change, as its history row records it (`from_status` None: the creation)."""

    from_status: S | None
    to_status: S
    at: datetime
    actor_role: Role | None
    actor_account_id: int | None
    reason: str | None = None


@dataclass(frozen=True)
class Transitions(Generic[S]):
    """A life cycle's transition table and the words of its refusals."""

    # (from, to) → who may make the change; None (who) is the platform itself. A row's creation
    # is no change from a status: its flow creates it, `record` writes its first history row.
    table: Mapping[tuple[S, S], frozenset[Role | None]]
    labels: Mapping[S, str]
    # The argument naming the row, in every refusal.
    field: str
    # The refusal of the loser of two concurrent changes, when its own change is still allowed.
    changed: str
    # The flow's own refusal of a change outside the table, when a more telling code exists
    # (CONTACT_SELLER, QUOTE_EXPIRED); None: INVALID_TRANSITION.
    telling: Callable[[S, S, Role | None], DomainError | None] = lambda current, to, role: None

    def check(self, current: S, to: S, role: Role | None) -> None:
        """Refuse a change the table does not allow to `role`."""
        if role in self.table.get((current, to), frozenset()):
            return
        refusal = self.telling(current, to, role)
        if refusal is not None:
            raise refusal
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"Impossible de passer de « {self.labels[current]} » à « {self.labels[to]} ».",
            self.field,
        )

    async def write(
        self, model: type[Model], row: Stated[S], to: S, role: Role | None, **columns: Any
    ) -> None:
        """Write `to` (and `columns`) on `row` if its status is still the one the caller saw:
        of two concurrent changes exactly one wins, and the loser gets the refusal the new
        status calls for (or, were its change still allowed, `changed`)."""
        if await model.filter(id=row.id, status=row.status).update(status=to, **columns):
            return
        current = cast(Stated[S], await model.get(id=row.id))
        self.check(current.status, to, role)
        raise DomainError(ErrorCode.INVALID_TRANSITION, self.changed, self.field)


def transition_payload(change: Change) -> dict[str, Any]:
    """What every status event carries, whatever the life cycle."""
    return {
        "from": None if change.from_status is None else str(change.from_status),
        "to": str(change.to_status),
        "reason": change.reason,
        "actor_role": None if change.actor_role is None else str(change.actor_role),
    }


@dataclass(frozen=True)
class Parties:
    """Who is mailed about a row (None: a deleted account, mailed no more)."""

    seller_name: str
    seller_email: str | None
    buyer_email: str | None

    def others(self, role: Role | None) -> list[str | None]:
        """The other party of a change made by `role`; both for the platform's own changes."""
        return [
            *([self.seller_email] if role is not Role.SELLER else []),
            *([self.buyer_email] if role is not Role.BUYER else []),
        ]


def _email(account: Account | None) -> str | None:
    return account.email if account is not None and account.deleted_at is None else None


async def parties_of(buyer_id: int, seller_ids: Sequence[int]) -> dict[int, Parties]:
    """The buyer's and each seller's addresses, in two queries whatever the number of sellers."""
    buyer = _email(await Account.get_or_none(id=buyer_id))
    sellers = await Seller.filter(id__in=list(seller_ids)).select_related("account")
    return {s.id: Parties(s.name, _email(s.account), buyer) for s in sellers}


@dataclass(frozen=True)
class Mail:
    """One message about a change, to each address once (None: nobody to mail)."""

    to: Sequence[str | None]
    subject: str
    body: str


class Tracked(Protocol):
    """A row with a life cycle: its id and the audience of its events."""

    @property
    def id(self) -> int: ...
    @property
    def buyer_id(self) -> int: ...
    @property
    def seller_id(self) -> int: ...
    @property
    def company_id(self) -> int | None: ...


@dataclass(frozen=True)
class LifeCycle(Generic[H]):
    """What the recorder needs to know of one life cycle."""

    history: type[H]
    kind: EventKind
    # The row's id column, in the history table, the event payload and the event log alike.
    key: str
    # Each deadline of the row and the status it runs in: entering or leaving it moves it.
    deadlines: Mapping[DeadlineSource, StrEnum] = field(default_factory=dict)


async def record(
    cycle: LifeCycle[H],
    row: Tracked,
    move: Move[Any],
    mail: Mail,
    *,
    policy: Policy,
    audience: Mapping[str, int | None] | None = None,
) -> H:
    """Write `move`'s history row, queue `mail` in the outbox and append the event, last, with
    its audience columns (`audience`: any beside the row's buyer, seller and company)."""
    columns: dict[str, Any] = {cycle.key: row.id, **asdict(move)}
    change = await cycle.history.create(**columns)
    for to in dict.fromkeys(address for address in mail.to if address):
        await enqueue_mail(to=to, subject=mail.subject, body=mail.body, policy=policy)
    for source, running_in in cycle.deadlines.items():
        await touch_on_status(source, row.id, running_in=running_in, change=move)
    await append_event(
        cycle.kind,
        {cycle.key: row.id, **transition_payload(move)},
        doorbell=policy.doorbell,
        at=move.at,
        buyer_id=row.buyer_id,
        seller_id=row.seller_id,
        company_id=row.company_id,
        **{cycle.key: row.id, **(audience or {})},
    )
    return change
