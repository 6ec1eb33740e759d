"""Rows made directly in the database, for tests that need a world to act in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from models.accounts import Account, Company, Role, Seller
from resolvers.passwords import hash_password
from resolvers.sessions import open_session
from tests.clients import GraphQLClient
from tests.configuration import POLICY

PASSWORD = "correct horse battery staple"


async def make_account(
    role: Role,
    *,
    email: str,
    password: str = PASSWORD,
    postal_code: str | None = None,
    shop_name: str | None = None,
    company: str | None = None,
    company_id: int | None = None,
    rights: list[str] | None = None,
    confirmed: bool = True,
) -> Account:
    if company is not None:
        row = await Company.create(
            name=company,
            vat_number=f"FR{abs(hash(company)) % 10**11:011d}",
            country="FR",
            line1="1 rue de la Paix",
            postal_code="75002",
            city="Paris",
        )
        company_id = row.id
    account = await Account.create(
        email=email.lower(),
        password_hash=hash_password(password, policy=POLICY),
        first_name="Camille",
        last_name="Martin",
        role=role,
        postal_code=postal_code,
        company_id=company_id,
        rights=rights or [],
        email_confirmed_at=datetime.now(UTC) if confirmed else None,
    )
    if role is Role.SELLER:
        await Seller.create(account=account, name=shop_name or f"Boutique {account.id}")
    return account


async def login_as(http: httpx.AsyncClient, account: Account) -> GraphQLClient:
    token = await open_session(account, policy=POLICY)
    return GraphQLClient(http, token=token, account_id=account.id)


@dataclass(frozen=True)
class Colleagues:
    """Three buyers of one company: its main account and two colleagues."""

    boss: Account
    member: Account
    peer: Account


async def acme_colleagues(*, boss_rights: list[str], peer_rights: list[str]) -> Colleagues:
    """ACME's boss, a member who may place orders, and a peer, all delivered in 75011."""
    boss = await make_account(
        Role.BUYER, email="boss@acme.fr", company="ACME", rights=boss_rights, postal_code="75011"
    )
    colleagues = [
        await make_account(
            Role.BUYER,
            email=email,
            company_id=boss.company_id,
            rights=rights,
            postal_code="75011",
        )
        for email, rights in (("m@acme.fr", ["PLACE_ORDERS"]), ("p@acme.fr", peer_rights))
    ]
    return Colleagues(boss, *colleagues)
