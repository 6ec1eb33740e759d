"""Accounts, companies and sellers: types and the account mutations."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeAlias

import strawberry

from models import accounts as m
from resolvers import accounts as rules
from resolvers import helpdesk
from resolvers.standing import suspension
from schema.context import Info
from schema.ids import encode_id

Role: TypeAlias = m.Role
strawberry.enum(Role, name="Role")
CompanyRight: TypeAlias = m.CompanyRight
strawberry.enum(CompanyRight, name="CompanyRight")


@strawberry.type
class Company:
    model: strawberry.Private[m.Company]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Company", self.model.id))

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    def vat_number(self) -> str:
        return self.model.vat_number

    @strawberry.field
    def country(self) -> str:
        return self.model.country

    @strawberry.field
    async def members(self, info: Info) -> list[Account]:
        rows = await rules.company_members(info.context.actor, company_id=self.model.id)
        return [Account(model=row) for row in rows]


_PRIVATE = (
    "Private: shown to the account itself, admins and its company colleagues; others read {}."
)


@strawberry.type
class Account:
    model: strawberry.Private[m.Account]
    # The account the caller proved in this very request to own (login, registration, e-mailed
    # token) while the request itself is still anonymous.
    proven_owner: strawberry.Private[bool] = False

    def _private(self, info: Info) -> bool:
        return self.proven_owner or rules.can_see_private_fields(info.context.actor, self.model)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Account", self.model.id))

    @strawberry.field(
        description=_PRIVATE.format(
            'a mask: the first character followed by "***@***", e.g. "c***@***"'
        )
    )
    def email(self, info: Info) -> str:
        if self._private(info):
            return self.model.email
        return rules.masked_email(self.model.email)

    @strawberry.field
    def first_name(self) -> str:
        return self.model.first_name

    @strawberry.field
    def last_name(self) -> str:
        return self.model.last_name

    @strawberry.field
    def role(self) -> m.Role:
        return self.model.role

    @strawberry.field(description=_PRIVATE.format("null"))
    def postal_code(self, info: Info) -> str | None:
        return self.model.postal_code if self._private(info) else None

    @strawberry.field(description=_PRIVATE.format("null"))
    async def company(self, info: Info) -> Company | None:
        if self.model.company_id is None or not self._private(info):
            return None
        row = await info.context.loaders.by_id(m.Company).load(self.model.company_id)
        return Company(model=row) if row is not None else None

    @strawberry.field(description=_PRIVATE.format("an empty list"))
    def rights(self, info: Info) -> list[m.CompanyRight]:
        if not self._private(info):
            return []
        return [m.CompanyRight(r) for r in self.model.rights]

    @strawberry.field(description=_PRIVATE.format("false"))
    def two_factor_enabled(self, info: Info) -> bool:
        return self._private(info) and self.model.totp_secret is not None


@strawberry.type
class Seller:
    model: strawberry.Private[m.Seller]
    # Plain attributes, set once: a page of products shows one seller per product, and a
    # `@strawberry.field` method costs far more per value than graphql-core reading one.
    id: strawberry.ID
    name: str
    rating: float | None = strawberry.field(
        description=(
            "0-5: five times the share of the last 90 days' obligations met on time (buyer "
            "messages answered within the SLA, claims answered in time); null without history."
        )
    )

    def __init__(self, model: m.Seller) -> None:
        self.model = model
        self.id = strawberry.ID(encode_id("Seller", model.id))
        self.name = model.name
        self.rating = model.rating

    @strawberry.field(description="Share of buyer messages answered within the SLA (last 90 days).")
    async def response_rate(self, info: Info) -> float | None:
        loader = info.context.loaders.custom("seller.response_rate", helpdesk.response_rates)
        return await loader.load(self.model.id)

    @strawberry.field(
        description="End of the current suspension: shown to the seller itself "
        "and admins (others null); null when not suspended."
    )
    def suspended_until(self, info: Info) -> datetime | None:
        return suspension.shown_suspension(info.context.actor, self.model)


@strawberry.type
class Query:
    @strawberry.field
    async def me(self, info: Info) -> Account | None:
        account = await rules.me(info.context.actor)
        return Account(model=account) if account is not None else None


async def restricted_account(info: Info, account_id: int) -> Account:
    """The account a RESTRICT foreign key names (so it exists)."""
    row = await info.context.loaders.by_id(m.Account).load(account_id)
    assert row is not None  # RESTRICT: the account outlives what points at it
    return Account(model=row)


async def restricted_seller(info: Info, seller_id: int) -> Seller:
    """The seller a RESTRICT foreign key names (so it exists)."""
    row = await info.context.loaders.by_id(m.Seller).load(seller_id)
    assert row is not None  # RESTRICT: the seller outlives what points at it
    return Seller(model=row)


class _Bought(Protocol):
    @property
    def buyer_id(self) -> int: ...


class _Sold(Protocol):
    @property
    def seller_id(self) -> int: ...


class ShowsBought(Protocol):
    """A type showing a row with a buyer (an order, a quote)."""

    @property
    def model(self) -> _Bought: ...


class ShowsSold(Protocol):
    """A type showing a row with a seller (an order, a quote, an invoice)."""

    @property
    def model(self) -> _Sold: ...


async def buyer_of(root: ShowsBought, info: Info) -> Account:
    """The `buyer` field of the types showing a row with a buyer."""
    return await restricted_account(info, root.model.buyer_id)


async def seller_of(root: ShowsSold, info: Info) -> Seller:
    """The `seller` field of the types showing a row with a seller."""
    return await restricted_seller(info, root.model.seller_id)
