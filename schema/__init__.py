"""The GraphQL layer: Strawberry types and thin fields that delegate to resolvers/."""

from __future__ import annotations

import strawberry
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema import (
    account_mutations,
    accounts,
    cart,
    catalog,
    claims,
    helpdesk,
    invoices,
    live,
    orders,
    quotes,
    standing,
)
from schema.input_limits import bound_arguments
from schema.scalars import SCALAR_MAP
from schema.security import ComptoirSchema, Guard, extensions
from schema.throttle import throttle_mutations

# Each module adds its own Query / Mutation / Subscription fields; the root merges them.
MODULES = (
    accounts,
    account_mutations,
    catalog,
    cart,
    orders,
    invoices,
    quotes,
    helpdesk,
    claims,
    standing,
    live,
)


def build_schema(guard: Guard) -> strawberry.Schema:
    def merged(name: str) -> type | None:
        parts = tuple(getattr(m, name) for m in MODULES if hasattr(m, name))
        return merge_types(name, parts) if parts else None

    schema_extensions = extensions(guard)
    if not guard.introspection:
        schema_extensions.append(DisableIntrospection)
    config = StrawberryConfig(scalar_map=SCALAR_MAP, disable_field_suggestions=True)
    roots = {name: merged(name) for name in ("Query", "Mutation", "Subscription")}
    bound_arguments(roots, config.name_converter)
    throttle_mutations(roots["Mutation"], config.name_converter)
    query = roots["Query"]
    if query is None:
        raise RuntimeError("no schema module defines a Query type")
    return ComptoirSchema(
        query=query,
        mutation=roots["Mutation"],
        subscription=roots["Subscription"],
        extensions=schema_extensions,
        config=config,
        max_tokens=guard.max_tokens,
    )
