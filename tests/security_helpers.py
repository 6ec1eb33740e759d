"""A small schema shaped like the contract (pages, nested lists, money) behind the real extensions.

It lets the security tests use fields other rooms own (products, sellers' products) and
misbehaving resolvers the real schema must never have.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import AsyncGenerator
from decimal import Decimal
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult

from comptoir.app import guard
from comptoir.settings import Settings
from resolvers.errors import DomainError, ErrorCode, Forbidden, QueryError, Unauthenticated
from resolvers.pagination import PageRequest
from schema.context import Context
from schema.pagination import Connection, Edge, PageInfo
from schema.scalars import SCALAR_MAP
from schema.security import ComptoirSchema, extensions
from tests.configuration import POLICY, SETTINGS


@strawberry.type
class Attribute:
    name: str
    value: str


@strawberry.type
class Seller:
    id: strawberry.ID
    name: str

    @strawberry.field
    def products(self, first: int | None = None, after: str | None = None) -> Connection[Product]:
        return _page(first, after)


@strawberry.type
class Product:
    id: strawberry.ID
    name: str
    price: Decimal

    @strawberry.field
    def attributes(self) -> list[Attribute]:
        return [Attribute(name="Couleur", value="Rouge")]

    @strawberry.field
    def seller(self) -> Seller:
        return Seller(id=strawberry.ID("S1"), name="BatiPro")


@strawberry.type
class Node:
    id: int

    @strawberry.field
    def child(self) -> Node:
        return Node(id=self.id + 1)


def _page(first: int | None, after: str | None) -> Connection[Product]:
    request = PageRequest.of(first, after)
    products = [
        Product(id=strawberry.ID(f"P{i}"), name=f"Vis {i}", price=Decimal("1.50"))
        for i in range(min(request.first, 3))
    ]
    return Connection(
        edges=[Edge(cursor=str(p.id), node=p) for p in products],
        page_info=PageInfo(has_next_page=False, end_cursor=None),
    )


@strawberry.enum
class Colour(enum.Enum):
    RED = "RED"
    GREEN = "GREEN"


@strawberry.input
class PriceInput:
    label: str
    price: Decimal


class Boom(RuntimeError):
    pass


@strawberry.type
class Query:
    @strawberry.field
    def products(self, first: int | None = None, after: str | None = None) -> Connection[Product]:
        return _page(first, after)

    @strawberry.field
    def node(self) -> Node:
        return Node(id=0)

    @strawberry.field
    def boom(self) -> str:
        raise Boom("password=hunter2 leaked by a driver")

    @strawberry.field
    def broken_non_null(self) -> str:
        return None  # type: ignore[return-value]  # the broken resolver under test

    @strawberry.field
    def needs_login(self) -> str:
        raise Unauthenticated()

    @strawberry.field
    def admins_only(self) -> str:
        raise Forbidden()

    @strawberry.field
    def compare(self, ids: list[strawberry.ID]) -> list[str]:
        if len(ids) > 3:
            raise QueryError(ErrorCode.TOO_MANY_ITEMS, "At most 3 products")
        return list(ids)

    @strawberry.field
    def lookup(self, id: strawberry.ID) -> str:
        raise DomainError(ErrorCode.NOT_FOUND, "No such product", "id")

    @strawberry.field
    def paint(self, colour: Colour) -> str:
        return colour.value

    @strawberry.field
    def numbers(self, values: list[list[list[int]]] | None = None) -> int:
        return 0


@strawberry.type
class Mutation:
    @strawberry.mutation
    def set_price(self, input: PriceInput) -> str:
        return str(input.price)


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(self, fail_with: str = "boom") -> AsyncGenerator[int, None]:
        yield 1
        if fail_with == "login":
            raise Unauthenticated()
        raise Boom("stream secret")


def toy_schema(settings: Settings | None = None, **overrides: Any) -> ComptoirSchema:
    settings = dataclasses.replace(settings or SETTINGS, **overrides)
    return ComptoirSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions(guard(settings)),
        config=StrawberryConfig(scalar_map=SCALAR_MAP, disable_field_suggestions=True),
        max_tokens=settings.max_tokens,
    )


async def run(schema: ComptoirSchema, query: str, **variables: Any) -> ExecutionResult:
    return await schema.execute(
        query, variable_values=variables, context_value=Context(policy=POLICY)
    )


def codes(result: ExecutionResult) -> list[str]:
    return [(e.extensions or {}).get("code", "") for e in result.errors or []]


def messages(result: ExecutionResult) -> list[str]:
    return [e.message for e in result.errors or []]


def first_error(result: ExecutionResult) -> GraphQLError:
    assert result.errors, f"expected an error, got {result.data}"
    return result.errors[0]
