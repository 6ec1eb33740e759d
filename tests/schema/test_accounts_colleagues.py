"""Company colleagues: addColleague, acceptInvitation, setColleagueRights, removeColleague."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from models.accounts import Account, AccountToken, Role, TokenPurpose
from resolvers.policy import Policy
from schema.ids import encode_id
from tests.accounts_helpers import ME, STRONG, account, counts, link_token, mails_to
from tests.clients import GraphQLClient
from tests.factories import login_as, make_account

ADD = """
mutation($email: String!, $rights: [CompanyRight!]!) {
  addColleague(email: $email, rights: $rights) {
    errors { code field } invitationSent account { id email rights company { name } }
  }
}"""
ACCEPT = """
mutation($token: String!, $password: String!, $first: String!, $last: String!) {
  acceptInvitation(token: $token, password: $password, firstName: $first, lastName: $last) {
    errors { code field } token account { email rights company { name } }
  }
}"""
SET_RIGHTS = """
mutation($id: ID!, $rights: [CompanyRight!]!) {
  setColleagueRights(accountId: $id, rights: $rights) { errors { code field } account { rights } }
}"""
REMOVE = """
mutation($id: ID!) { removeColleague(accountId: $id) { errors { code field } } }"""
MEMBERS = "{ me { company { members { email rights } } } }"
ALL_RIGHTS = ["PLACE_ORDERS", "SEE_INVOICES", "SEE_COMPANY_ORDERS", "MANAGE_COLLEAGUES"]


@pytest.fixture
async def main_user(http: httpx.AsyncClient, company_member: GraphQLClient) -> GraphQLClient:
    """The main user of ACME BTP, whose company_member holds only PLACE_ORDERS."""
    return await login_as(http, await account("main@acme.fr"))


def gid(account_id: int | None) -> str:
    assert account_id is not None
    return encode_id("Account", account_id)


async def test_an_existing_private_buyer_joins_at_once(
    main_user: GraphQLClient, buyer: GraphQLClient
) -> None:
    payload = await main_user.mutate_ok(
        ADD, email="Buyer@Example.fr", rights=["PLACE_ORDERS", "PLACE_ORDERS"]
    )
    assert payload["invitationSent"] is False
    assert payload["account"]["email"] == "buyer@example.fr"
    assert payload["account"]["rights"] == ["PLACE_ORDERS"]
    assert payload["account"]["company"] == {"name": "ACME BTP"}
    (mail,) = await mails_to("buyer@example.fr")
    assert mail.subject == "Vous avez rejoint ACME BTP sur Comptoir"
    members = (await main_user.query(MEMBERS))["me"]["company"]["members"]
    assert [m["email"] for m in members] == ["main@acme.fr", "member@acme.fr", "buyer@example.fr"]


async def test_an_unknown_address_gets_an_invitation_that_logs_in(
    main_user: GraphQLClient, anonymous: GraphQLClient
) -> None:
    payload = await main_user.mutate_ok(
        ADD, email="New.Colleague@acme.fr", rights=["PLACE_ORDERS", "SEE_INVOICES"]
    )
    assert payload == {"errors": [], "invitationSent": True, "account": None}
    (mail,) = await mails_to("new.colleague@acme.fr")
    assert mail.subject == "Invitation à rejoindre ACME BTP sur Comptoir"
    token = await link_token("new.colleague@acme.fr", "accept-invitation")
    login = await anonymous.mutate_ok(
        ACCEPT, token=token, password=STRONG, first="Jules", last="Moreau"
    )
    assert login["account"] == {
        "email": "new.colleague@acme.fr",
        "rights": ["PLACE_ORDERS", "SEE_INVOICES"],
        "company": {"name": "ACME BTP"},
    }
    anonymous.token = login["token"]
    assert (await anonymous.query(ME))["me"]["email"] == "new.colleague@acme.fr"
    assert (await account("new.colleague@acme.fr")).email_confirmed_at is not None
    assert await anonymous.refused(ACCEPT, token=token, password=STRONG, first="J", last="M") == [
        "INVALID_TOKEN"
    ]


async def test_a_new_invitation_replaces_the_previous_one(
    main_user: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await main_user.mutate_ok(ADD, email="new@acme.fr", rights=["PLACE_ORDERS"])
    first = await link_token("new@acme.fr", "accept-invitation")
    await main_user.mutate_ok(ADD, email="new@acme.fr", rights=["SEE_INVOICES"])
    assert await anonymous.refused(ACCEPT, token=first, password=STRONG, first="J", last="M") == [
        "INVALID_TOKEN"
    ]


async def test_past_the_addresss_mail_cap_an_invitation_answers_the_same_and_keeps_the_last_link(
    main_user: GraphQLClient, anonymous: GraphQLClient, policy: Policy
) -> None:
    for _ in range(policy.account_mails_per_hour):
        await main_user.mutate_ok(ADD, email="new@acme.fr", rights=["PLACE_ORDERS"])
    mailed = await link_token("new@acme.fr", "accept-invitation")
    payload = await main_user.mutate_ok(ADD, email="new@acme.fr", rights=["SEE_INVOICES"])
    assert payload == {"errors": [], "invitationSent": True, "account": None}
    assert len(await mails_to("new@acme.fr")) == policy.account_mails_per_hour
    login = await anonymous.mutate_ok(ACCEPT, token=mailed, password=STRONG, first="J", last="M")
    assert login["account"]["rights"] == ["PLACE_ORDERS"]


async def test_an_expired_invitation_is_token_expired(
    main_user: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await main_user.mutate_ok(ADD, email="new@acme.fr", rights=["PLACE_ORDERS"])
    token = await link_token("new@acme.fr", "accept-invitation")
    await AccountToken.filter(purpose=TokenPurpose.INVITATION).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    before = await counts()
    assert await anonymous.refused(ACCEPT, token=token, password=STRONG, first="J", last="M") == [
        "TOKEN_EXPIRED"
    ]
    assert await counts() == before


async def test_accepting_with_a_weak_password_or_bad_names_creates_nothing(
    main_user: GraphQLClient, anonymous: GraphQLClient
) -> None:
    await main_user.mutate_ok(ADD, email="new@acme.fr", rights=["PLACE_ORDERS"])
    token = await link_token("new@acme.fr", "accept-invitation")
    before = await counts()
    payload = await anonymous.mutate(ACCEPT, token=token, password="court", first="  ", last="M")
    assert {(e["code"], e["field"]) for e in payload["errors"]} == {
        ("WEAK_PASSWORD", "password"),
        ("INVALID_INPUT", "firstName"),
    }
    assert await counts() == before
    await anonymous.mutate_ok(ACCEPT, token=token, password=STRONG, first="Jules", last="M")


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("main@acme.fr", "ALREADY_MEMBER"),
        ("seller@example.fr", "EMAIL_TAKEN"),
        ("other@corp.fr", "EMAIL_TAKEN"),
        ("pas une adresse", "INVALID_INPUT"),
    ],
)
async def test_accounts_that_cannot_join_are_refused(
    main_user: GraphQLClient, seller: GraphQLClient, email: str, code: str
) -> None:
    await make_account(Role.BUYER, email="other@corp.fr", company="Other Corp", rights=ALL_RIGHTS)
    before = await counts()
    assert await main_user.refused(ADD, email=email, rights=["PLACE_ORDERS"]) == [code]
    assert await counts() == before


async def test_a_member_without_manage_colleagues_is_refused(
    company_member: GraphQLClient, buyer: GraphQLClient
) -> None:
    main = await account("main@acme.fr")
    before = await counts()
    assert await company_member.refused(ADD, email="buyer@example.fr", rights=["PLACE_ORDERS"]) == [
        "RIGHT_MISSING"
    ]
    assert await company_member.refused(SET_RIGHTS, id=gid(main.id), rights=[]) == ["RIGHT_MISSING"]
    assert await company_member.refused(REMOVE, id=gid(main.id)) == ["RIGHT_MISSING"]
    assert (await account("buyer@example.fr")).company_id is None
    assert await counts() == before


async def test_a_private_buyer_has_no_colleagues_to_manage(
    buyer: GraphQLClient, other_buyer: GraphQLClient
) -> None:
    before = await counts()
    refusal = await buyer.refused(ADD, email="other.buyer@example.fr", rights=["PLACE_ORDERS"])
    assert refusal == ["RIGHT_MISSING"]
    assert (await account("buyer@example.fr")).company_id is None
    assert (await account("other.buyer@example.fr")).company_id is None
    assert await counts() == before


@pytest.fixture(params=[Role.SELLER, Role.ADMIN])
async def outsider(request: pytest.FixtureRequest, http: httpx.AsyncClient) -> GraphQLClient:
    """A seller, then an admin: no buyer company is theirs to run."""
    role: Role = request.param
    shop = "Outsider" if role is Role.SELLER else None
    return await login_as(
        http, await make_account(role, email="outsider@example.fr", shop_name=shop)
    )


async def test_sellers_and_admins_cannot_manage_colleagues(
    outsider: GraphQLClient, company_member: GraphQLClient, other_buyer: GraphQLClient
) -> None:
    member = await account("member@acme.fr")
    before = await counts()
    add = await outsider.error_codes(ADD, email="other.buyer@example.fr", rights=ALL_RIGHTS)
    assert add == ["FORBIDDEN"]
    rights = await outsider.error_codes(SET_RIGHTS, id=gid(member.id), rights=ALL_RIGHTS)
    assert rights == ["FORBIDDEN"]
    assert await outsider.error_codes(REMOVE, id=gid(member.id)) == ["FORBIDDEN"]
    after = await account("member@acme.fr")
    assert (after.company_id, after.rights) == (member.company_id, member.rights)
    assert (await account("other.buyer@example.fr")).company_id is None
    assert await counts() == before


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (ADD, {"email": "x@example.fr", "rights": []}),
        (SET_RIGHTS, {"id": gid(1), "rights": []}),
        (REMOVE, {"id": gid(1)}),
    ],
)
async def test_colleague_management_needs_a_login(
    anonymous: GraphQLClient, document: str, variables: dict[str, object]
) -> None:
    assert await anonymous.error_codes(document, **variables) == ["UNAUTHENTICATED"]


async def test_the_main_user_sets_a_colleagues_rights(
    main_user: GraphQLClient, company_member: GraphQLClient
) -> None:
    payload = await main_user.mutate_ok(
        SET_RIGHTS, id=gid(company_member.account_id), rights=["SEE_INVOICES", "PLACE_ORDERS"]
    )
    assert payload["account"] == {"rights": ["PLACE_ORDERS", "SEE_INVOICES"]}
    assert (await company_member.query(ME))["me"]["rights"] == ["PLACE_ORDERS", "SEE_INVOICES"]


async def test_someone_outside_the_company_is_not_found(
    main_user: GraphQLClient, buyer: GraphQLClient
) -> None:
    before = await counts()
    assert await main_user.refused(SET_RIGHTS, id=gid(buyer.account_id), rights=ALL_RIGHTS) == [
        "NOT_FOUND"
    ]
    assert await main_user.refused(REMOVE, id=gid(buyer.account_id)) == ["NOT_FOUND"]
    assert await main_user.refused(REMOVE, id=encode_id("Seller", 1)) == ["NOT_FOUND"]
    assert await main_user.refused(REMOVE, id="@@@") == ["INVALID_INPUT"]
    assert (await account("buyer@example.fr")).rights == []
    assert await counts() == before


async def test_the_last_manager_keeps_manage_colleagues(main_user: GraphQLClient) -> None:
    assert await main_user.refused(
        SET_RIGHTS, id=gid(main_user.account_id), rights=["PLACE_ORDERS"]
    ) == ["INVALID_INPUT"]
    assert await main_user.refused(REMOVE, id=gid(main_user.account_id)) == ["INVALID_INPUT"]
    assert (await account("main@acme.fr")).rights == ALL_RIGHTS


async def test_a_removed_colleague_keeps_a_private_account_and_is_logged_out(
    main_user: GraphQLClient, company_member: GraphQLClient, http: httpx.AsyncClient
) -> None:
    assert await main_user.mutate(REMOVE, id=gid(company_member.account_id)) == {"errors": []}
    assert await company_member.error_codes(ME) == ["UNAUTHENTICATED"]
    row = await Account.get(id=company_member.account_id)
    assert row.company_id is None
    assert row.rights == []
    assert row.deleted_at is None
    again = await login_as(http, row)
    assert (await again.query("{ me { company { id } rights } }"))["me"] == {
        "company": None,
        "rights": [],
    }
