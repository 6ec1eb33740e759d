"""Registration (buyer, seller, company), e-mail confirmation, admin creation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from models.accounts import Account, Company, CompanyRight, Role, Seller, TokenPurpose
from realtime.log import atomic
from resolvers.accounts import mails
from resolvers.accounts.rules import (
    check_email,
    check_name,
    check_password,
    check_postal_code,
    normalize_email,
)
from resolvers.accounts.tokens import issue_token, use_token, valid_token
from resolvers.actor import Actor
from resolvers.countries import iso_country
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.passwords import hash_password_async
from resolvers.policy import Policy
from resolvers.vat import compact_vat


@dataclass(frozen=True)
class CompanyDetails:
    name: str
    vat_number: str
    country: str
    line1: str
    postal_code: str
    city: str


def _check_company(problems: Problems, company: CompanyDetails) -> str | None:
    """Checks the company's details; its compact VAT number when valid."""
    check_name(problems, company.name, "company.name", "Le nom de l'entreprise")
    check_name(problems, company.line1, "company.line1", "L'adresse")
    check_name(problems, company.city, "company.city", "La ville")
    check_postal_code(problems, company.postal_code, "company.postalCode")
    country = iso_country(company.country)
    if country is None:
        problems.invalid("Pays attendu en code ISO à deux lettres (FR)", "company.country")
        return None
    return compact_vat(problems, country, company.vat_number)


async def _email_taken(email: str) -> bool:
    return await Account.filter(email=email).exists()


async def register(
    actor: Actor,
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    role: Role,
    postal_code: str | None = None,
    shop_name: str | None = None,
    company: CompanyDetails | None = None,
    policy: Policy,
) -> Account:
    """Create an unconfirmed account and mail its confirmation link."""
    email = normalize_email(email)
    vat_number = None
    with Problems() as problems:
        check_email(problems, email)
        check_password(problems, password)
        check_name(problems, first_name, "firstName", "Le prénom")
        check_name(problems, last_name, "lastName", "Le nom")
        check_postal_code(problems, postal_code)
        if role is Role.ADMIN:
            problems.invalid("Rôle BUYER ou SELLER seulement", "role")
        if role is Role.SELLER:
            check_name(problems, shop_name or "", "shopName", "Le nom de la boutique")
            if company is not None:
                problems.invalid("Un compte entreprise est un compte acheteur", "company")
        if company is not None and role is Role.BUYER:
            vat_number = _check_company(problems, company)
            if vat_number is not None and await Company.filter(vat_number=vat_number).exists():
                problems.add(
                    ErrorCode.VAT_NUMBER_TAKEN,
                    "Cette entreprise est déjà inscrite : demandez une invitation "
                    "à son utilisateur principal",
                    "company.vatNumber",
                )
        if not problems.about("email") and await _email_taken(email):
            problems.add(ErrorCode.EMAIL_TAKEN, "Adresse e-mail déjà utilisée", "email")

    password_hash = await hash_password_async(password, policy=policy)
    try:
        async with atomic():
            company_row = None
            if company is not None and vat_number is not None:
                company_row = await Company.create(
                    name=company.name.strip(),
                    vat_number=vat_number,
                    country=iso_country(company.country),
                    line1=company.line1.strip(),
                    postal_code=company.postal_code.strip(),
                    city=company.city.strip(),
                )
            account = await Account.create(
                email=email,
                password_hash=password_hash,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                role=role,
                postal_code=postal_code.strip() if postal_code else None,
                company=company_row,
                # The one who registers the company is its main user.
                rights=[r.value for r in CompanyRight] if company_row is not None else [],
            )
            if role is Role.SELLER:
                await Seller.create(account=account, name=(shop_name or "").strip())
            token = await issue_token(
                TokenPurpose.CONFIRM_EMAIL,
                timedelta(days=policy.confirm_token_days),
                account_id=account.id,
            )
            await mails.confirmation_mail(
                to=email, first_name=account.first_name, token=token, policy=policy
            )
    except IntegrityError as error:
        # Lost a race with a simultaneous registration of the same address or company.
        if await _email_taken(email):
            raise DomainError(
                ErrorCode.EMAIL_TAKEN, "Adresse e-mail déjà utilisée", "email"
            ) from error
        raise DomainError(
            ErrorCode.VAT_NUMBER_TAKEN, "Cette entreprise est déjà inscrite", "company.vatNumber"
        ) from error
    return account


async def confirm_email(actor: Actor, *, token: str) -> Account:
    """Activate the account behind a confirmation link (single use)."""
    row = await valid_token(TokenPurpose.CONFIRM_EMAIL, token)
    async with atomic():
        await use_token(row)
        account = await Account.get_or_none(id=row.account_id, deleted_at__isnull=True)
        if account is None:
            raise DomainError(ErrorCode.INVALID_TOKEN, "Lien invalide ou déjà utilisé", "token")
        if account.email_confirmed_at is None:
            account.email_confirmed_at = datetime.now(UTC)
            await account.save(update_fields=["email_confirmed_at", "updated_at"])
    return account


async def create_admin(*, email: str, password: str, policy: Policy) -> Account:
    """An already-confirmed ADMIN account (command line `comptoir create-admin`)."""
    email = normalize_email(email)
    with Problems() as problems:
        check_email(problems, email)
        check_password(problems, password)
    if await _email_taken(email):
        raise DomainError(ErrorCode.EMAIL_TAKEN, "Adresse e-mail déjà utilisée", "email")
    password_hash = await hash_password_async(password, policy=policy)
    async with atomic():
        return await Account.create(
            email=email,
            password_hash=password_hash,
            first_name="Admin",
            last_name="Comptoir",
            role=Role.ADMIN,
            email_confirmed_at=datetime.now(UTC),
        )
