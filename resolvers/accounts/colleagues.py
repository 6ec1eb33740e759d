"""Company accounts: the main user (MANAGE_COLLEAGUES) adds colleagues and sets their rights."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from models.accounts import Account, AccountToken, Company, CompanyRight, Role, TokenPurpose
from realtime.log import atomic
from resolvers.accounts import mails
from resolvers.accounts.login import LoginResult
from resolvers.accounts.rules import (
    check_email,
    check_name,
    check_password,
    clean_rights,
    normalize_email,
)
from resolvers.accounts.tokens import issue_token, use_token, valid_token
from resolvers.actor import Actor, require_role
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.passwords import hash_password_async
from resolvers.policy import Policy
from resolvers.sessions import open_session, revoke_sessions


@dataclass(frozen=True)
class AddColleagueResult:
    """The colleague's account when it joined at once; None when an invitation was mailed."""

    account: Account | None


def _require_manager(actor: Actor) -> tuple[int, int]:
    """(account id, company id) of a company member holding MANAGE_COLLEAGUES."""
    account_id = require_role(actor, Role.BUYER)
    if actor.company_id is None or CompanyRight.MANAGE_COLLEAGUES not in actor.rights:
        raise DomainError(
            ErrorCode.RIGHT_MISSING, "Réservé à l'utilisateur principal du compte entreprise"
        )
    return account_id, actor.company_id


async def _colleague(company_id: int, account_id: int) -> Account:
    """A member of the company, locked for update; anyone else is NOT_FOUND."""
    row = await Account.select_for_update().get_or_none(
        id=account_id, company_id=company_id, deleted_at__isnull=True
    )
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Aucun collègue avec cet identifiant", "accountId")
    return row


async def _keep_a_manager(company_id: int, *, losing: int) -> None:
    """A company never loses its last member holding MANAGE_COLLEAGUES."""
    managers = [
        a.id
        for a in await Account.filter(company_id=company_id, deleted_at__isnull=True)
        if CompanyRight.MANAGE_COLLEAGUES.value in a.rights
    ]
    if managers == [losing]:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "L'entreprise doit garder au moins un gestionnaire des collègues",
            "accountId",
        )


async def add_colleague(
    actor: Actor, *, email: str, rights: list[CompanyRight], policy: Policy
) -> AddColleagueResult:
    """A buyer account without a company joins at once; an unknown address is invited by mail."""
    manager_id, company_id = _require_manager(actor)
    email = normalize_email(email)
    with Problems() as problems:
        check_email(problems, email)
    company = await Company.get(id=company_id)
    manager = await Account.get(id=manager_id)
    inviter = f"{manager.first_name} {manager.last_name}".strip()
    existing = await Account.get_or_none(email=email)
    if existing is not None:
        if existing.company_id == company_id:
            raise DomainError(ErrorCode.ALREADY_MEMBER, "Déjà membre de l'entreprise", "email")
        if existing.role is not Role.BUYER or existing.company_id is not None:
            raise DomainError(
                ErrorCode.EMAIL_TAKEN, "Ce compte ne peut pas rejoindre l'entreprise", "email"
            )
        async with atomic():
            joined = await Account.filter(id=existing.id, company_id__isnull=True).update(
                company_id=company_id, rights=clean_rights(rights)
            )
            if not joined:
                raise DomainError(
                    ErrorCode.EMAIL_TAKEN, "Ce compte ne peut pas rejoindre l'entreprise", "email"
                )
            await mails.joined_company_mail(
                to=email,
                first_name=existing.first_name,
                company=company.name,
                inviter=inviter,
                policy=policy,
            )
        return AddColleagueResult(account=await Account.get(id=existing.id))
    async with atomic():
        pending = [
            t.id
            for t in await AccountToken.filter(
                purpose=TokenPurpose.INVITATION,
                used_at__isnull=True,
                expires_at__gt=datetime.now(UTC),
            )
            if t.data.get("email") == email and t.data.get("company_id") == company_id
        ]
        token = await issue_token(
            TokenPurpose.INVITATION,
            timedelta(days=policy.invitation_days),
            account_id=None,
            data={
                "email": email,
                "company_id": company_id,
                "rights": clean_rights(rights),
                "invited_by": manager_id,
            },
        )
        mailed = await mails.invitation_mail(
            to=email, company=company.name, inviter=inviter, token=token, policy=policy
        )
        # A new invitation replaces the pending ones for this address, once it is mailed: past
        # the address's cap the link it already holds stays good.
        if mailed and pending:
            await AccountToken.filter(id__in=pending).update(used_at=datetime.now(UTC))
    return AddColleagueResult(account=None)


async def accept_invitation(
    actor: Actor,
    *,
    token: str,
    password: str,
    first_name: str,
    last_name: str,
    policy: Policy,
) -> LoginResult:
    """Create the invited colleague's account, confirmed by the mail, and log it in."""
    row = await valid_token(TokenPurpose.INVITATION, token)
    with Problems() as problems:
        check_password(problems, password)
        check_name(problems, first_name, "firstName", "Le prénom")
        check_name(problems, last_name, "lastName", "Le nom")
    email = str(row.data["email"])
    if await Account.filter(email=email).exists():
        raise DomainError(ErrorCode.EMAIL_TAKEN, "Adresse e-mail déjà utilisée", "email")
    password_hash = await hash_password_async(password, policy=policy)
    try:
        async with atomic():
            await use_token(row)
            account = await Account.create(
                email=email,
                password_hash=password_hash,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                role=Role.BUYER,
                company_id=int(row.data["company_id"]),
                rights=list(row.data["rights"]),
                email_confirmed_at=datetime.now(UTC),
            )
            session_token = await open_session(account, policy=policy)
    except IntegrityError as error:
        raise DomainError(ErrorCode.EMAIL_TAKEN, "Adresse e-mail déjà utilisée", "email") from error
    return LoginResult(token=session_token, account=account)


async def set_colleague_rights(
    actor: Actor, *, account_id: int, rights: list[CompanyRight]
) -> Account:
    """Replace a colleague's rights (the manager's own included)."""
    _, company_id = _require_manager(actor)
    async with atomic():
        colleague = await _colleague(company_id, account_id)
        if CompanyRight.MANAGE_COLLEAGUES not in rights:
            await _keep_a_manager(company_id, losing=colleague.id)
        colleague.rights = clean_rights(rights)
        await colleague.save(update_fields=["rights", "updated_at"])
    return colleague


async def remove_colleague(actor: Actor, *, account_id: int, policy: Policy) -> None:
    """The colleague leaves the company and keeps a private buyer account.  Their sessions end,
    so no open subscription keeps receiving the company's orders."""
    _, company_id = _require_manager(actor)
    async with atomic():
        colleague = await _colleague(company_id, account_id)
        await _keep_a_manager(company_id, losing=colleague.id)
        colleague.company_id = None
        colleague.rights = []
        await colleague.save(update_fields=["company_id", "rights", "updated_at"])
        await revoke_sessions(colleague.id, policy=policy)
