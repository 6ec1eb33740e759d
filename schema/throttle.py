"""Per-client rate limits on the credential and mail-triggering mutations (API.md, Abuse limits).

Each aliased field counts once: thirty aliased `requestPasswordReset` in one document are
thirty uses. The counters live in the database (resolvers/throttle.py), shared by every worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from resolvers.errors import DomainError, ErrorCode
from resolvers.throttle import take
from schema.errors import mutate

# Mutation -> rule (resolvers.throttle.DEFAULT_RATE_LIMITS).
THROTTLED: dict[str, str] = {
    "login": "login",
    "register": "register",
    "requestPasswordReset": "mail",
    "addColleague": "mail",
    "confirmEmail": "token",
    "resetPassword": "token",
    "acceptInvitation": "token",
}


class RateLimited(FieldExtension):
    def __init__(self, rule: str) -> None:
        self.rule = rule

    def apply(self, field: StrawberryField) -> None:
        self.payload: Any = field.type

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any
    ) -> Any:
        limit = info.context.policy.rate_limits.get(self.rule)
        if limit is None or await take(f"{self.rule}:{info.context.client}", limit):
            return await next_(source, info, **kwargs)

        async def refuse() -> dict[str, Any]:
            raise DomainError(
                ErrorCode.RATE_LIMITED,
                "Trop de demandes depuis votre adresse : réessayez plus tard.",
            )

        return await mutate(self.payload, refuse)


def throttle_mutations(mutation: type | None, names: NameConverter) -> None:
    """Attach each rule to its mutation, outermost, so that even a refused input counts."""
    definition = get_object_definition(mutation) if mutation is not None else None
    for field in definition.fields if definition is not None else ():
        rule = THROTTLED.get(names.get_graphql_name(field))
        if rule is not None and not any(isinstance(e, RateLimited) for e in field.extensions):
            field.extensions.append(RateLimited(rule))
