"""After-sales: claims, their photos and refunds; the claim queries and mutations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry

from models import claims as m
from models import helpdesk as helpdesk_models
from models import orders as order_models
from resolvers import claims as rules
from resolvers.errors import Problems
from resolvers.pagination import PageRequest
from schema.accounts import Role
from schema.context import Info
from schema.errors import UserError, mutate, user_errors
from schema.helpdesk import Thread
from schema.ids import decode_id, encode_id, known_id, read_id
from schema.pagination import Connection
from schema.photos import Photo
from schema.refunds import Refund, order_of

if TYPE_CHECKING:
    from schema.orders import Order, OrderLine

ClaimReason: TypeAlias = m.ClaimReason
strawberry.enum(ClaimReason, name="ClaimReason")
ClaimStatus: TypeAlias = m.ClaimStatus
strawberry.enum(ClaimStatus, name="ClaimStatus")
ClaimResolution: TypeAlias = m.ClaimResolution
strawberry.enum(ClaimResolution, name="ClaimResolution")


@strawberry.type
class ClaimLine:
    model: strawberry.Private[m.ClaimLine]

    @strawberry.field
    async def order_line(
        self, info: Info
    ) -> Annotated[OrderLine, strawberry.lazy("schema.orders")]:
        from schema.orders import OrderLine

        row = await info.context.loaders.by_id(order_models.OrderLine).load(
            self.model.order_line_id
        )
        assert row is not None  # RESTRICT foreign key
        return OrderLine(model=row)

    @strawberry.field
    def quantity(self) -> int:
        return self.model.quantity


@strawberry.type
class ClaimStatusChange:
    model: strawberry.Private[m.ClaimStatusChange]

    @strawberry.field(name="from")
    def from_(self) -> ClaimStatus | None:
        return self.model.from_status

    @strawberry.field
    def to(self) -> ClaimStatus:
        return self.model.to_status

    @strawberry.field
    def at(self) -> datetime:
        return self.model.at

    @strawberry.field
    def actor_role(self) -> Role | None:
        return self.model.actor_role

    @strawberry.field
    def reason(self) -> str | None:
        return self.model.reason


@strawberry.type
class Claim:
    model: strawberry.Private[m.Claim]

    async def _thread(self, info: Info) -> helpdesk_models.Thread | None:
        if self.model.thread_id is None:
            return None
        return await info.context.loaders.by_id(helpdesk_models.Thread).load(self.model.thread_id)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Claim", self.model.id))

    @strawberry.field
    def number(self) -> str:
        return self.model.number

    @strawberry.field
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("schema.orders")]:
        return await order_of(info, self.model.order_id)

    @strawberry.field
    def reason(self) -> ClaimReason:
        return self.model.reason

    @strawberry.field
    def status(self) -> ClaimStatus:
        return self.model.status

    @strawberry.field
    async def lines(self, info: Info) -> list[ClaimLine]:
        rows = await info.context.loaders.custom("claim.lines", rules.lines_of).load(self.model.id)
        return [ClaimLine(model=row) for row in rows]

    @strawberry.field
    async def photos(self, info: Info) -> list[Photo]:
        rows = await info.context.loaders.custom("claim.photos", rules.photos_of).load(
            self.model.id
        )
        return [Photo(model=row) for row in rows]

    @strawberry.field(description="The conversation; its first message is the claim's text.")
    async def thread(self, info: Info) -> Thread:
        row = await self._thread(info)
        assert row is not None  # set in the opening transaction
        return Thread(model=row)

    @strawberry.field
    def return_instructions(self) -> str | None:
        return self.model.return_instructions

    @strawberry.field
    def return_carrier(self) -> str | None:
        return self.model.return_carrier

    @strawberry.field
    def return_tracking_number(self) -> str | None:
        return self.model.return_tracking_number

    @strawberry.field
    def resolution(self) -> ClaimResolution | None:
        return self.model.resolution

    @strawberry.field
    async def refund(self, info: Info) -> Refund | None:
        row = await info.context.loaders.custom("claim.refund", rules.refund_of).load(self.model.id)
        return Refund(model=row) if row is not None else None

    @strawberry.field(description="OPEN: the seller's SLA deadline (null once answered).")
    async def respond_by(self, info: Info) -> datetime | None:
        return rules.respond_by(self.model, await self._thread(info))

    @strawberry.field(description="RETURN_RECEIVED: refund or resolution due.")
    def refund_due_by(self) -> datetime | None:
        if self.model.status is not m.ClaimStatus.RETURN_RECEIVED:
            return None
        return self.model.refund_due_by

    @strawberry.field
    async def overdue(self, info: Info) -> bool:
        return rules.is_overdue(self.model, await self._thread(info))

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    async def history(self, info: Info) -> list[ClaimStatusChange]:
        rows = await info.context.loaders.custom("claim.history", rules.history_of).load(
            self.model.id
        )
        return [ClaimStatusChange(model=row) for row in rows]


@strawberry.input
class ClaimLineInput:
    order_line_id: strawberry.ID
    quantity: int


@strawberry.input
class OpenClaimInput:
    order_id: strawberry.ID
    reason: ClaimReason
    body: str
    lines: list[ClaimLineInput]
    photo_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input
class ResolveClaimInput:
    claim_id: strawberry.ID
    resolution: ClaimResolution
    reason: str
    idempotency_key: str
    refund_amount: Decimal | None = None


@strawberry.input
class ClaimFilter:
    status: ClaimStatus | None = None
    order_id: strawberry.ID | None = None
    overdue: bool | None = None


@strawberry.type
class ClaimPayload:
    errors: list[UserError]
    claim: Claim | None = None
    warnings: list[UserError] | None = strawberry.field(
        default=None, description="Opened, but the author is told (e.g. contact details)."
    )


def _claim_id(value: strawberry.ID) -> int:
    return decode_id(value, "Claim", "claimId")


async def _payload(action: Callable[[], Awaitable[m.Claim]]) -> ClaimPayload:
    async def run() -> dict[str, Any]:
        return {"claim": Claim(model=await action()), "warnings": []}

    return await mutate(ClaimPayload, run)


@strawberry.type
class Query:
    @strawberry.field
    async def claim(self, info: Info, id: strawberry.ID) -> Claim | None:
        row = await rules.get_claim(info.context.actor, claim_id=known_id(id, "Claim"))
        return Claim(model=row) if row is not None else None

    @strawberry.field(
        description="Buyers: their claims (and the company's with "
        "SEE_COMPANY_ORDERS); sellers: their orders'; admins: all."
    )
    async def claims(
        self,
        info: Info,
        filter: ClaimFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Claim]:
        wanted = filter or ClaimFilter()
        page = await rules.list_claims(
            info.context.actor,
            page=PageRequest.of(first, after),
            status=None if wanted.status is None else m.ClaimStatus(wanted.status),
            order_id=None
            if wanted.order_id is None
            else decode_id(wanted.order_id, "Order", "orderId"),
            overdue=wanted.overdue,
        )
        return Connection.of(page, lambda row: Claim(model=row))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Buyer: a claim on a delivered order, with its thread.")
    async def open_claim(self, info: Info, input: OpenClaimInput) -> ClaimPayload:
        async def run() -> dict[str, Any]:
            with Problems() as ids:
                order_id = read_id(ids, input.order_id, "Order", "orderId")
                lines = [
                    rules.WantedLine(
                        read_id(ids, line.order_line_id, "OrderLine", "lines"), line.quantity
                    )
                    for line in input.lines
                ]
                photo_ids = [read_id(ids, p, "Photo", "photoIds") for p in input.photo_ids]
            opened = await rules.open_claim(
                info.context.actor,
                order_id=order_id,
                reason=m.ClaimReason(input.reason),
                body=input.body,
                lines=lines,
                photo_ids=photo_ids,
                policy=info.context.policy,
            )
            return {
                "claim": Claim(model=opened.claim),
                "warnings": user_errors(opened.warnings),
            }

        return await mutate(ClaimPayload, run)

    @strawberry.mutation(description="Seller: OPEN -> RETURN_REQUESTED.")
    async def request_return(
        self, info: Info, claim_id: strawberry.ID, instructions: str
    ) -> ClaimPayload:
        return await _payload(
            lambda: rules.request_return(
                info.context.actor,
                claim_id=_claim_id(claim_id),
                instructions=instructions,
                policy=info.context.policy,
            )
        )

    @strawberry.mutation(description="Buyer: RETURN_REQUESTED -> RETURN_SHIPPED.")
    async def ship_return(
        self, info: Info, claim_id: strawberry.ID, carrier: str, tracking_number: str
    ) -> ClaimPayload:
        return await _payload(
            lambda: rules.ship_return(
                info.context.actor,
                claim_id=_claim_id(claim_id),
                carrier=carrier,
                tracking_number=tracking_number,
                policy=info.context.policy,
            )
        )

    @strawberry.mutation(description="Seller: RETURN_SHIPPED -> RETURN_RECEIVED.")
    async def receive_return(self, info: Info, claim_id: strawberry.ID) -> ClaimPayload:
        return await _payload(
            lambda: rules.receive_return(
                info.context.actor, claim_id=_claim_id(claim_id), policy=info.context.policy
            )
        )

    @strawberry.mutation(description="Seller: OPEN | RETURN_RECEIVED -> RESOLVED.")
    async def resolve_claim(self, info: Info, input: ResolveClaimInput) -> ClaimPayload:
        return await _payload(
            lambda: rules.resolve_claim(
                info.context.actor,
                claim_id=_claim_id(input.claim_id),
                resolution=m.ClaimResolution(input.resolution),
                refund_amount=input.refund_amount,
                reason=input.reason,
                idempotency_key=input.idempotency_key,
                policy=info.context.policy,
            )
        )

    @strawberry.mutation(description="Seller: OPEN | RETURN_REQUESTED -> REJECTED.")
    async def reject_claim(self, info: Info, claim_id: strawberry.ID, reason: str) -> ClaimPayload:
        return await _payload(
            lambda: rules.reject_claim(
                info.context.actor,
                claim_id=_claim_id(claim_id),
                reason=reason,
                policy=info.context.policy,
            )
        )

    @strawberry.mutation(description="Buyer: OPEN | RETURN_REQUESTED -> CANCELLED.")
    async def cancel_claim(self, info: Info, claim_id: strawberry.ID) -> ClaimPayload:
        return await _payload(
            lambda: rules.cancel_claim(
                info.context.actor, claim_id=_claim_id(claim_id), policy=info.context.policy
            )
        )
