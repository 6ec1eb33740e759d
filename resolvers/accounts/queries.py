"""Reading accounts: the caller's own, and a company's members."""

from __future__ import annotations

from models.accounts import Account
from resolvers.actor import Actor


async def me(actor: Actor) -> Account | None:
    """The caller's own account, or None for anonymous callers."""
    if actor.account_id is None:
        return None
    return await Account.get_or_none(id=actor.account_id, deleted_at__isnull=True)


async def company_members(actor: Actor, *, company_id: int) -> list[Account]:
    """Members of a company, visible to its own members and to admins."""
    if actor.company_id != company_id and not actor.is_admin:
        return []
    return list(await Account.filter(company_id=company_id, deleted_at__isnull=True).order_by("id"))
