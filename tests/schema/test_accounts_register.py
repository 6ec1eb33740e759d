"""register and confirmEmail over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.accounts import AccountToken, Company, Seller, TokenPurpose
from resolvers.passwords import verify_password
from tests.accounts_helpers import (
    CONFIRM,
    LOGIN,
    REGISTER,
    STRONG,
    account,
    company_input,
    counts,
    link_token,
    login_codes,
    mails_to,
    registration,
)
from tests.clients import GraphQLClient


async def test_a_buyer_registers_and_gets_a_confirmation_mail(anonymous: GraphQLClient) -> None:
    payload = await anonymous.mutate_ok(REGISTER, input=registration("Lea.Durand@Example.FR"))
    assert payload["account"]["email"] == "lea.durand@example.fr"
    assert payload["account"]["role"] == "BUYER"
    assert payload["account"]["company"] is None
    (mail,) = await mails_to("lea.durand@example.fr")
    assert mail.subject == "Confirmez votre adresse e-mail"
    assert "http://testserver.local/confirm-email?token=" in mail.body
    assert (await account("lea.durand@example.fr")).email_confirmed_at is None


async def test_login_is_refused_until_the_email_is_confirmed(anonymous: GraphQLClient) -> None:
    await anonymous.mutate_ok(REGISTER, input=registration())
    assert await login_codes(anonymous, "new.buyer@example.fr", STRONG) == ["EMAIL_NOT_CONFIRMED"]
    token = await link_token("new.buyer@example.fr", "confirm-email")
    payload = await anonymous.mutate_ok(CONFIRM, token=token)
    assert payload["account"]["email"] == "new.buyer@example.fr"
    login = await anonymous.mutate_ok(LOGIN, email="NEW.buyer@example.fr", password=STRONG)
    assert login["token"]
    assert login["account"]["email"] == "new.buyer@example.fr"


async def test_a_confirmation_link_works_once(anonymous: GraphQLClient) -> None:
    await anonymous.mutate_ok(REGISTER, input=registration())
    token = await link_token("new.buyer@example.fr", "confirm-email")
    await anonymous.mutate_ok(CONFIRM, token=token)
    assert await anonymous.refused(CONFIRM, token=token) == ["INVALID_TOKEN"]


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 5000])
async def test_unknown_or_malformed_confirmation_tokens_are_invalid(
    anonymous: GraphQLClient, token: str
) -> None:
    assert await anonymous.refused(CONFIRM, token=token) == ["INVALID_TOKEN"]


async def test_an_expired_confirmation_link_is_token_expired(anonymous: GraphQLClient) -> None:
    await anonymous.mutate_ok(REGISTER, input=registration())
    token = await link_token("new.buyer@example.fr", "confirm-email")
    await AccountToken.filter(purpose=TokenPurpose.CONFIRM_EMAIL).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert await anonymous.refused(CONFIRM, token=token) == ["TOKEN_EXPIRED"]
    assert (await account("new.buyer@example.fr")).email_confirmed_at is None


async def test_a_seller_registers_with_a_shop_name(anonymous: GraphQLClient) -> None:
    payload = await anonymous.mutate_ok(
        REGISTER, input=registration("shop@example.fr", role="SELLER", shopName=" Bricoflex ")
    )
    assert payload["account"]["role"] == "SELLER"
    seller = await Seller.get(account__email="shop@example.fr")
    assert seller.name == "Bricoflex"


@pytest.mark.parametrize(
    "vat", ["40 303 265 045", "FR40303265045", "fr 40.303.265.045", "FR 403 032 650 45"]
)
async def test_a_company_registers_with_its_vat_number_in_any_layout(
    anonymous: GraphQLClient, vat: str
) -> None:
    payload = await anonymous.mutate_ok(
        REGISTER, input=registration(company=company_input(vatNumber=vat))
    )
    company = payload["account"]["company"]
    assert company["vatNumber"] == "FR40303265045"
    assert company["country"] == "FR"
    assert company["name"] == "ACME Bâtiment"
    assert set(payload["account"]["rights"]) == {
        "PLACE_ORDERS",
        "SEE_INVOICES",
        "SEE_COMPANY_ORDERS",
        "MANAGE_COLLEAGUES",
    }


@pytest.mark.parametrize(
    ("country", "vat", "compact"),
    [
        ("DE", "136695976", "DE136695976"),
        ("de", "de 136.695.976", "DE136695976"),
        ("BE", "0403.170.701", "BE0403170701"),
        ("GR", "094259216", "EL094259216"),  # Greece's VAT prefix is EL, its ISO code GR
        ("GR", "EL 094 259 216", "EL094259216"),
        ("AT", "ATU 1358 5627", "ATU13585627"),
    ],
)
async def test_vat_numbers_are_checked_against_the_company_country(
    anonymous: GraphQLClient, country: str, vat: str, compact: str
) -> None:
    payload = await anonymous.mutate_ok(
        REGISTER, input=registration(company=company_input(country=country, vatNumber=vat))
    )
    assert payload["account"]["company"]["vatNumber"] == compact
    assert payload["account"]["company"]["country"] == country.upper()


@pytest.mark.parametrize(
    ("vat", "country"),
    [
        ("40303265046", "FR"),
        ("DE136695976", "FR"),
        ("12345", "FR"),
        ("", "FR"),
        ("123456789", "US"),
    ],
)
async def test_an_invalid_vat_number_creates_nothing(
    anonymous: GraphQLClient, vat: str, country: str
) -> None:
    before = await counts()
    codes = await anonymous.refused(
        REGISTER, input=registration(company=company_input(vatNumber=vat, country=country))
    )
    assert codes == ["INVALID_VAT_NUMBER"]
    assert await counts() == before
    assert await Company.all().count() == 0


async def test_a_company_registers_once(anonymous: GraphQLClient) -> None:
    await anonymous.mutate_ok(REGISTER, input=registration(company=company_input()))
    codes = await anonymous.refused(
        REGISTER, input=registration("second@example.fr", company=company_input())
    )
    assert codes == ["VAT_NUMBER_TAKEN"]


async def test_emails_are_unique_whatever_their_case(anonymous: GraphQLClient) -> None:
    await anonymous.mutate_ok(REGISTER, input=registration("taken@example.fr"))
    before = await counts()
    payload = await anonymous.mutate(REGISTER, input=registration("TAKEN@Example.fr"))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("EMAIL_TAKEN", "email")]
    assert await counts() == before


@pytest.mark.parametrize(
    "password",
    [
        "court1A!",
        "minuscules",
        "AZERTYUIOPQS",
        "1234567890123",
        "azerty1234",
        "abababababababababab!",
    ],
)
async def test_weak_passwords_are_refused(anonymous: GraphQLClient, password: str) -> None:
    before = await counts()
    payload = await anonymous.mutate(REGISTER, input=registration(password=password))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("WEAK_PASSWORD", "password")]
    assert await counts() == before


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("firstName", {"firstName": "x" * 201}),
        ("lastName", {"lastName": "   "}),
        ("email", {"email": "not-an-email"}),
        ("postalCode", {"postalCode": "75<011>"}),
        ("shopName", {"role": "SELLER"}),
        ("shopName", {"role": "SELLER", "shopName": "b" * 201}),
        ("role", {"role": "ADMIN"}),
        ("company.name", {"company": company_input(name="n" * 201)}),
        ("company.country", {"company": company_input(country="France")}),
        ("company.country", {"company": company_input(country="ZZ")}),  # two letters, not ISO
        ("company.country", {"company": company_input(country="EL", vatNumber="EL094259216")}),
        ("company.line1", {"company": company_input(line1="l" * 201)}),
        ("company.city", {"company": company_input(city="c" * 201)}),
        ("company", {"role": "SELLER", "shopName": "Shop", "company": company_input()}),
    ],
)
async def test_bad_registration_input_names_the_field_and_creates_nothing(
    anonymous: GraphQLClient, field: str, extra: dict[str, Any]
) -> None:
    before = await counts()
    payload = await anonymous.mutate(REGISTER, input=registration(**extra))
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", field)]
    assert payload["account"] is None
    assert await counts() == before


@pytest.mark.parametrize("password", ["tout en minuscules", "Mélange42xyz", "ab1cd2ef3g"])
async def test_long_passphrases_and_mixed_passwords_are_accepted(
    anonymous: GraphQLClient, password: str
) -> None:
    payload = await anonymous.mutate_ok(REGISTER, input=registration(password=password))
    assert payload["account"]["email"] == "new.buyer@example.fr"
    stored = await account("new.buyer@example.fr")
    assert verify_password(stored.password_hash, password)


async def test_names_of_exactly_200_characters_are_accepted(anonymous: GraphQLClient) -> None:
    payload = await anonymous.mutate_ok(REGISTER, input=registration(firstName="é" * 200))
    assert payload["account"]["firstName"] == "é" * 200


async def test_every_problem_is_reported_at_once(anonymous: GraphQLClient) -> None:
    payload = await anonymous.mutate(
        REGISTER, input=registration("bad", password="court", firstName="")
    )
    assert {(e["code"], e["field"]) for e in payload["errors"]} == {
        ("INVALID_INPUT", "email"),
        ("WEAK_PASSWORD", "password"),
        ("INVALID_INPUT", "firstName"),
    }


async def test_the_role_defaults_to_buyer(anonymous: GraphQLClient) -> None:
    values = registration()
    del values["role"]
    payload = await anonymous.mutate_ok(REGISTER, input=values)
    assert payload["account"]["role"] == "BUYER"
