"""Who may read an account's private fields (e-mail, postal code, company, rights, 2FA state).

Buyers and sellers must not reach each other off the platform (seed 004), so an account reached
through an order, a thread or a message shows only its names to anyone but the account itself,
an admin, or a member of the same company.
"""

from __future__ import annotations

from models.accounts import Account
from resolvers.actor import Actor

MASKED_EMAIL_SUFFIX = "***@***"


def can_see_private_fields(actor: Actor, account: Account) -> bool:
    if actor.account_id is None:
        return False
    if actor.account_id == account.id or actor.is_admin:
        return True
    return actor.company_id is not None and actor.company_id == account.company_id


def masked_email(email: str) -> str:
    """The first character and a fixed mask: it keeps `String!` non-empty, hides the address
    and its domain, and cannot be mistaken for a real address."""
    return f"{email[:1]}{MASKED_EMAIL_SUFFIX}"
