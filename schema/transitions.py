"""What every life cycle's history shows of a status change; each adds its typed from/to."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.lifecycle import Change
from schema.accounts import Role


@strawberry.type
class Transition:
    """When, by whom and why a status changed (each life cycle adds its typed from/to)."""

    model: strawberry.Private[Change]

    @strawberry.field
    def at(self) -> datetime:
        return self.model.at

    @strawberry.field(description="Null when the platform made the change (expiry).")
    def actor_role(self) -> Role | None:
        return self.model.actor_role

    @strawberry.field
    def reason(self) -> str | None:
        return self.model.reason
