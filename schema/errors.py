"""Domain errors converted once, at the edge: payload `errors` or coded top-level errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeAlias, TypeVar

import strawberry
from graphql import GraphQLError

from resolvers.errors import DomainError, Forbidden, Problem, QueryError, Unauthenticated
from resolvers.errors import ErrorCode as DomainErrorCode

# Registers the domain's enum itself (same class) as the GraphQL enum "ErrorCode".
ErrorCode: TypeAlias = DomainErrorCode
strawberry.enum(ErrorCode, name="ErrorCode")


@strawberry.type
class UserError:
    code: DomainErrorCode
    field: str | None
    message: str


class Payload(Protocol):
    errors: list[UserError]


P = TypeVar("P")


def user_errors(problems: Iterable[Problem]) -> list[UserError]:
    """A refusal's problems (or a success's warnings) as the payload shows them."""
    return [UserError(code=p.code, field=p.field, message=p.message) for p in problems]


async def mutate(payload: type[P], action: Callable[[], Awaitable[dict[str, Any]]]) -> P:
    """Run a mutation's domain call; an expected refusal becomes the payload's `errors`.

    Every payload field other than `errors` is null when `errors` is not empty.
    """
    # Strawberry generates each payload's __init__ (its fields): mypy sees only `type[P]`.
    try:
        fields = await action()
    except DomainError as error:
        return payload(errors=user_errors(error.problems))  # type: ignore[call-arg]
    return payload(errors=[], **fields)  # type: ignore[call-arg]


def coded_error(error: Exception) -> GraphQLError | None:
    """The top-level GraphQL error for an exception we mean to show, else None (masked)."""
    if isinstance(error, Unauthenticated):
        return GraphQLError(str(error), extensions={"code": "UNAUTHENTICATED"})
    if isinstance(error, Forbidden):
        return GraphQLError(str(error), extensions={"code": "FORBIDDEN"})
    if isinstance(error, QueryError):
        return GraphQLError(str(error), extensions={"code": str(error.code)})
    if isinstance(error, DomainError):
        first = error.problems[0]
        return GraphQLError(first.message, extensions={"code": str(first.code)})
    return None
