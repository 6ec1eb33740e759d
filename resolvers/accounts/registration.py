"""Registration (buyer, seller, company), e-mail confirmation, admin creation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from models.accounts import Account, Company, CompanyRight, Role, Seller, TokenPurpose
from realtime.log import atomic
from resolvers.accounts import mails
from resolvers.accounts.rules import (
    check,
    email_problems,
    name_problems,
    normalize_email,
    password_problems,
    postal_code_problems,
)
from resolvers.accounts.tokens import issue_token, use_token, valid_token
from resolvers.actor import Actor
from resolvers.countries import iso_country
from resolvers.errors import DomainError, ErrorCode, Problem
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


def _company_problems(company: CompanyDetails) -> tuple[list[Problem], str | None]:
    """Problems with the company's details, and its compact VAT number when valid."""
    problems = [
        *name_problems(company.name, "company.name", "Le nom de l'entreprise"),
        *name_problems(company.line1, "company.line1", "L'adresse"),
        *name_problems(company.city, "company.city", "La ville"),
        *postal_code_problems(company.postal_code, "company.postalCode"),
    ]
    country = iso_country(company.country)
    if country is None:
        problems.append(
            Problem(
                ErrorCode.INVALID_INPUT,
                "Pays attendu en code ISO à deux lettres (FR)",
                "company.country",
            )
        )
        return problems, None
    try:
        return problems, compact_vat(country, company.vat_number)
    except DomainError as error:
        return problems + error.problems, None


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
    problems = [
        *email_problems(email),
        *password_problems(password),
        *name_problems(first_name, "firstName", "Le prénom"),
        *name_problems(last_name, "lastName", "Le nom"),
        *postal_code_problems(postal_code),
    ]
    if role is Role.ADMIN:
        problems.append(Problem(ErrorCode.INVALID_INPUT, "Rôle BUYER ou SELLER seulement", "role"))
    if role is Role.SELLER:
        problems += name_problems(shop_name or "", "shopName", "Le nom de la boutique")
        if company is not None:
            problems.append(
                Problem(
                    ErrorCode.INVALID_INPUT,
                    "Un compte entreprise est un compte acheteur",
                    "company",
                )
            )
    vat_number = None
    if company is not None and role is Role.BUYER:
        company_problems, vat_number = _company_problems(company)
        problems += company_problems
        if vat_number is not None and await Company.filter(vat_number=vat_number).exists():
            problems.append(
                Problem(
                    ErrorCode.VAT_NUMBER_TAKEN,
                    "Cette entreprise est déjà inscrite : demandez une invitation "
                    "à son utilisateur principal",
                    "company.vatNumber",
                )
            )
    if not email_problems(email) and await _email_taken(email):
        problems.append(Problem(ErrorCode.EMAIL_TAKEN, "Adresse e-mail déjà utilisée", "email"))
    check(problems)

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
    problems = [*email_problems(email), *password_problems(password)]
    if not problems and await _email_taken(email):
        problems.append(Problem(ErrorCode.EMAIL_TAKEN, "Adresse e-mail déjà utilisée", "email"))
    check(problems)
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
