"""Account rules without HTTP: VAT numbers, password strength, admin creation, tokens."""

from __future__ import annotations

import asyncio

import pytest

from models.accounts import Account, AccountToken, Role
from resolvers.accounts import confirm_email, create_admin, login, register
from resolvers.accounts.rules import check_password
from resolvers.actor import ANONYMOUS
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.policy import Policy
from resolvers.vat import compact_vat
from tests.accounts_helpers import STRONG, link_token

pytestmark = pytest.mark.usefixtures("app")


@pytest.mark.parametrize(
    ("country", "number", "expected"),
    [
        ("FR", "40 303 265 045", "FR40303265045"),
        ("FR", "FR40303265045", "FR40303265045"),
        ("fr", "fr40.303.265.045", "FR40303265045"),
        ("DE", "DE 136 695 976", "DE136695976"),
        ("BE", "0403.019.261", "BE0403019261"),
        ("GR", "094259216", "EL094259216"),
        ("GR", "EL 094259216", "EL094259216"),
        ("GB", "980 7806 84", "GB980780684"),
        ("CH", "CHE-116.281.710 MWST", "CHE116281710MWST"),
    ],
)
def test_vat_numbers_come_back_compact_with_their_prefix(
    country: str, number: str, expected: str
) -> None:
    with Problems() as problems:
        assert compact_vat(problems, country, number) == expected


@pytest.mark.parametrize(
    ("country", "number"),
    [
        ("FR", "40303265046"),  # wrong check digits
        ("FR", "DE136695976"),  # another country's number
        ("DE", "40303265045"),
        ("US", "123456789"),  # no VAT rules for the country
        ("F1", "40303265045"),
        ("FR", ""),
    ],
)
def test_invalid_vat_numbers_are_refused(country: str, number: str) -> None:
    with pytest.raises(DomainError) as raised, Problems() as problems:
        assert compact_vat(problems, country, number) is None
    assert raised.value.problems[0].code is ErrorCode.INVALID_VAT_NUMBER


@pytest.mark.parametrize(
    ("password", "weak"),
    [
        ("Abcdef12!", True),  # 9 characters
        ("abcdefghijkl", True),  # one kind, under 16
        ("ABCDEFGHIJKL", True),
        ("123456789012", True),
        ("aaaaaaaaaaaaaaaaaaaaaaaa1", True),  # fewer than 5 different characters
        ("Motdepasse123", True),  # common, whatever its case
        ("motdepasse", True),  # common
        ("AZERTYUIOP", True),
        ("abcdefghij1", False),
        ("correct horse battery staple", False),  # a long passphrase needs no mix
        ("bonjourlesamis!", False),
    ],
)
def test_password_strength_rule(password: str, weak: bool) -> None:
    problems = Problems()
    check_password(problems, password)
    if weak:
        with pytest.raises(DomainError) as raised:
            problems.check()
        assert [p.code for p in raised.value.problems] == [ErrorCode.WEAK_PASSWORD]
    else:
        problems.check()


def test_absurdly_long_passwords_are_invalid_input() -> None:
    with pytest.raises(DomainError) as raised, Problems() as problems:
        check_password(problems, "Ab1!" * 300)
    assert [p.code for p in raised.value.problems] == [ErrorCode.INVALID_INPUT]


async def test_create_admin_makes_a_confirmed_admin_who_can_log_in(policy: Policy) -> None:
    admin = await create_admin(email="Root@Comptoir.fr", password=STRONG, policy=policy)
    assert admin.role is Role.ADMIN
    assert admin.email == "root@comptoir.fr"
    assert admin.email_confirmed_at is not None
    result = await login(ANONYMOUS, email="root@comptoir.fr", password=STRONG, policy=policy)
    assert result.account.id == admin.id
    assert result.token


@pytest.mark.parametrize(
    ("email", "password", "code"),
    [
        ("root@comptoir.fr", "court", ErrorCode.WEAK_PASSWORD),
        ("pas-une-adresse", STRONG, ErrorCode.INVALID_INPUT),
    ],
)
async def test_create_admin_checks_its_input(
    email: str, password: str, code: ErrorCode, policy: Policy
) -> None:
    with pytest.raises(DomainError) as raised:
        await create_admin(email=email, password=password, policy=policy)
    assert raised.value.problems[0].code is code
    assert await Account.all().count() == 0


async def test_create_admin_refuses_a_taken_address(policy: Policy) -> None:
    await create_admin(email="root@comptoir.fr", password=STRONG, policy=policy)
    with pytest.raises(DomainError) as raised:
        await create_admin(email="ROOT@comptoir.fr", password=STRONG, policy=policy)
    assert raised.value.problems[0].code is ErrorCode.EMAIL_TAKEN


async def test_a_mail_token_used_by_two_racing_requests_works_once(policy: Policy) -> None:
    await register(
        ANONYMOUS,
        email="race@example.fr",
        password=STRONG,
        first_name="A",
        last_name="B",
        role=Role.BUYER,
        policy=policy,
    )
    token = await link_token("race@example.fr", "confirm-email")
    results = await asyncio.gather(
        confirm_email(ANONYMOUS, token=token),
        confirm_email(ANONYMOUS, token=token),
        return_exceptions=True,
    )
    codes = sorted(r.problems[0].code if isinstance(r, DomainError) else "ok" for r in results)
    assert codes == [ErrorCode.INVALID_TOKEN, "ok"]
    assert await AccountToken.filter(used_at__isnull=False).count() == 1
