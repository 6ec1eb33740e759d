"""Accounts, companies and sellers: types and the account mutations."""

from __future__ import annotations

import strawberry

from models import accounts as m
from resolvers import accounts as rules
from schema.context import Info
from schema.ids import encode_id

Role = strawberry.enum(m.Role, name="Role")
CompanyRight = strawberry.enum(m.CompanyRight, name="CompanyRight")


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


@strawberry.type
class Account:
    model: strawberry.Private[m.Account]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Account", self.model.id))

    @strawberry.field
    def email(self) -> str:
        return self.model.email

    @strawberry.field
    def first_name(self) -> str:
        return self.model.first_name

    @strawberry.field
    def last_name(self) -> str:
        return self.model.last_name

    @strawberry.field
    def role(self) -> m.Role:
        return self.model.role

    @strawberry.field
    def postal_code(self) -> str | None:
        return self.model.postal_code

    @strawberry.field
    async def company(self, info: Info) -> Company | None:
        if self.model.company_id is None:
            return None
        row = await info.context.loaders.by_id(m.Company).load(self.model.company_id)
        return Company(model=row) if row is not None else None

    @strawberry.field
    def rights(self) -> list[m.CompanyRight]:
        return [m.CompanyRight(r) for r in self.model.rights]

    @strawberry.field
    def two_factor_enabled(self) -> bool:
        return self.model.totp_secret is not None


@strawberry.type
class Seller:
    model: strawberry.Private[m.Seller]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Seller", self.model.id))

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="Share of buyer messages answered within the SLA (last 90 days).")
    async def response_rate(self, info: Info) -> float | None:
        from resolvers.helpdesk import response_rates

        loader = info.context.loaders.custom("seller.response_rate", response_rates)
        return await loader.load(self.model.id)


@strawberry.type
class Query:
    @strawberry.field
    async def me(self, info: Info) -> Account | None:
        account = await rules.me(info.context.actor)
        return Account(model=account) if account is not None else None
