"""Profile changes and account deletion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from models.accounts import Account, AccountToken, Seller
from realtime.log import atomic
from resolvers.accounts.rules import check_name, check_postal_code, password_matches
from resolvers.actor import Actor, require_login
from resolvers.catalog import withdraw_seller_products
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.policy import Policy
from resolvers.sessions import revoke_sessions

# What an erased account still shows where orders and threads name it.
ERASED_NAME = "Compte supprimé"


@dataclass(frozen=True)
class ProfileChanges:
    """None leaves a field as it is; an empty postal code clears it."""

    first_name: str | None = None
    last_name: str | None = None
    postal_code: str | None = None
    shop_name: str | None = None


async def update_profile(actor: Actor, *, changes: ProfileChanges) -> Account:
    """Change the caller's names, postal code and (sellers) shop name."""
    account_id = require_login(actor)
    with Problems() as problems:
        if changes.first_name is not None:
            check_name(problems, changes.first_name, "firstName", "Le prénom")
        if changes.last_name is not None:
            check_name(problems, changes.last_name, "lastName", "Le nom")
        if changes.postal_code:
            check_postal_code(problems, changes.postal_code)
        if changes.shop_name is not None:
            if not actor.is_seller:
                problems.invalid("Réservé aux vendeurs", "shopName")
            else:
                check_name(problems, changes.shop_name, "shopName", "Le nom de la boutique")
    async with atomic():
        account = await Account.select_for_update().get(id=account_id, deleted_at__isnull=True)
        if changes.first_name is not None:
            account.first_name = changes.first_name.strip()
        if changes.last_name is not None:
            account.last_name = changes.last_name.strip()
        if changes.postal_code is not None:
            account.postal_code = changes.postal_code.strip() or None
        await account.save(update_fields=["first_name", "last_name", "postal_code", "updated_at"])
        if changes.shop_name is not None:
            await Seller.filter(account_id=account_id).update(name=changes.shop_name.strip())
    return account


async def delete_account(actor: Actor, *, password: str, policy: Policy) -> None:
    """Erase the caller's personal data; orders and threads stay, anonymised; all sessions end;
    a seller's shop closes (products withdrawn, PENDING orders refused)."""
    account_id = require_login(actor)
    account = await Account.get(id=account_id, deleted_at__isnull=True)
    if not await password_matches(account, password, policy=policy):
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, "Mot de passe incorrect", "password")
    async with atomic():
        await Account.filter(id=account_id).update(
            # Unique and non-null, and frees the address for a new registration.
            email=f"deleted-{account_id}@deleted.invalid",
            password_hash="!",
            first_name=ERASED_NAME,
            last_name="",
            postal_code=None,
            company_id=None,
            rights=[],
            totp_secret=None,
            totp_pending_secret=None,
            failed_logins=0,
            locked_until=None,
            deleted_at=datetime.now(UTC),
        )
        await AccountToken.filter(account_id=account_id, used_at__isnull=True).update(
            used_at=datetime.now(UTC)
        )
        # Imported here: the orders module builds on accounts, not the other way round.
        from resolvers.orders import on_account_deleted

        if actor.seller_id is not None:
            # A closed shop sells nothing more: its products leave the catalog and carts first.
            await withdraw_seller_products(seller_id=actor.seller_id)
        # Both append events, which come last in a transaction.
        await on_account_deleted(account_id=account_id, policy=policy)
        await revoke_sessions(account_id, policy=policy)
