"""Seller standing and moderation: the admins' suspension mutations."""

from __future__ import annotations

import strawberry

from resolvers.standing import suspension
from schema.accounts import Seller
from schema.context import Info
from schema.errors import UserError, mutate
from schema.ids import decode_id


@strawberry.type
class SellerPayload:
    errors: list[UserError]
    seller: Seller | None = None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Admins: suspend a seller for `days` times 24 h; it is mailed "
        "the reason and the end."
    )
    async def suspend_seller(
        self, info: Info, seller_id: strawberry.ID, days: int, reason: str
    ) -> SellerPayload:
        async def do() -> dict[str, object]:
            row = await suspension.suspend_seller(
                info.context.actor,
                seller_id=decode_id(seller_id, "Seller", "sellerId"),
                days=days,
                reason=reason,
                policy=info.context.policy,
            )
            return {"seller": Seller(model=row)}

        return await mutate(SellerPayload, do)

    @strawberry.mutation(description="Admins: end a seller's suspension now.")
    async def reinstate_seller(self, info: Info, seller_id: strawberry.ID) -> SellerPayload:
        async def do() -> dict[str, object]:
            row = await suspension.reinstate_seller(
                info.context.actor,
                seller_id=decode_id(seller_id, "Seller", "sellerId"),
                policy=info.context.policy,
            )
            return {"seller": Seller(model=row)}

        return await mutate(SellerPayload, do)
