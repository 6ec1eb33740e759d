"""Who is calling: built once per HTTP request or per WebSocket connection."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.accounts import CompanyRight, Role
from resolvers.errors import Forbidden, Unauthenticated


@dataclass(frozen=True)
class Actor:
    account_id: int | None = None
    role: Role | None = None
    session_id: int | None = None
    seller_id: int | None = None
    company_id: int | None = None
    rights: frozenset[CompanyRight] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.account_id is not None

    @property
    def is_buyer(self) -> bool:
        return self.role is Role.BUYER

    @property
    def is_seller(self) -> bool:
        return self.role is Role.SELLER

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def has_right(self, right: CompanyRight) -> bool:
        """A buyer without a company acts for themself and holds every right over it."""
        return self.company_id is None or right in self.rights


ANONYMOUS = Actor()


def require_login(actor: Actor) -> int:
    """The caller's account id, or UNAUTHENTICATED."""
    if actor.account_id is None:
        raise Unauthenticated()
    return actor.account_id


def require_role(actor: Actor, *roles: Role) -> int:
    """The caller's account id if they hold one of `roles`; else UNAUTHENTICATED / FORBIDDEN."""
    account_id = require_login(actor)
    if actor.role not in roles:
        raise Forbidden()
    return account_id
