"""updateProfile and deleteAccount over HTTP."""

from __future__ import annotations

import sys
import types

import httpx
import pytest

from models.accounts import Account, AccountToken, Seller
from models.events import Event, EventKind
from models.orders import Order, OrderStatus
from resolvers.orders import validate_order
from resolvers.policy import Policy
from schema.ids import encode_id
from tests.accounts_helpers import (
    ME,
    REGISTER,
    account,
    counts,
    login_codes,
    registration,
)
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.factories import PASSWORD, login_as
from tests.orders_helpers import actor_of, reserve

UPDATE = """
mutation($input: ProfileInput!) {
  updateProfile(input: $input) {
    errors { code field } account { firstName lastName postalCode }
  }
}"""
DELETE = """
mutation($password: String!) { deleteAccount(password: $password) { errors { code field } } }"""
EMAIL = "buyer@example.fr"


async def test_a_buyer_updates_names_and_postal_code(buyer: GraphQLClient) -> None:
    payload = await buyer.mutate_ok(
        UPDATE, input={"firstName": " Inès ", "lastName": "Petit", "postalCode": "69003"}
    )
    assert payload["account"] == {"firstName": "Inès", "lastName": "Petit", "postalCode": "69003"}
    assert (await buyer.query(ME))["me"]["postalCode"] == "69003"


async def test_omitted_fields_stay_and_an_empty_postal_code_clears(buyer: GraphQLClient) -> None:
    payload = await buyer.mutate_ok(UPDATE, input={"lastName": "Petit"})
    assert payload["account"] == {
        "firstName": "Camille",
        "lastName": "Petit",
        "postalCode": "75011",
    }
    payload = await buyer.mutate_ok(UPDATE, input={"postalCode": ""})
    assert payload["account"]["postalCode"] is None


async def test_a_seller_renames_its_shop(seller: GraphQLClient) -> None:
    await seller.mutate_ok(UPDATE, input={"shopName": "BatiPro Lyon"})
    assert (await Seller.get()).name == "BatiPro Lyon"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("firstName", "x" * 201),
        ("lastName", ""),
        ("postalCode", "<script>"),
        ("shopName", "Boutique"),
    ],
)
async def test_bad_profile_input_changes_nothing(
    buyer: GraphQLClient, field: str, value: str
) -> None:
    payload = await buyer.mutate(UPDATE, input={"firstName": "Inès", field: value})
    assert payload["errors"] == [{"code": "INVALID_INPUT", "field": field}]
    assert payload["account"] is None
    row = await account(EMAIL)
    assert (row.first_name, row.last_name, row.postal_code) == ("Camille", "Martin", "75011")


async def test_update_profile_needs_a_login(anonymous: GraphQLClient) -> None:
    assert await anonymous.error_codes(UPDATE, input={"firstName": "Inès"}) == ["UNAUTHENTICATED"]


async def test_deleting_an_account_erases_it_and_revokes_every_session(
    buyer: GraphQLClient, http: httpx.AsyncClient, anonymous: GraphQLClient
) -> None:
    row = await account(EMAIL)
    other_device = await login_as(http, row)
    assert await buyer.mutate(DELETE, password=PASSWORD) == {"errors": []}
    assert await buyer.error_codes(ME) == ["UNAUTHENTICATED"]
    assert await other_device.error_codes(ME) == ["UNAUTHENTICATED"]
    erased = await Account.get(id=row.id)
    assert erased.deleted_at is not None
    assert EMAIL not in erased.email
    assert erased.first_name != "Camille"
    assert erased.last_name == ""
    assert erased.postal_code is None
    assert await Event.filter(kind=EventKind.SESSION_REVOKED).count() == 2
    assert await login_codes(anonymous, EMAIL, PASSWORD) == ["INVALID_CREDENTIALS"]
    # The address is free again.
    await anonymous.mutate_ok(REGISTER, input=registration(EMAIL))


async def test_a_deleted_company_member_leaves_the_company(
    company_member: GraphQLClient,
) -> None:
    await company_member.mutate_ok(DELETE, password=PASSWORD)
    assert await Account.filter(email="member@acme.fr").count() == 0
    assert await Account.filter(company_id__isnull=False, deleted_at__isnull=False).count() == 0


async def test_a_deleted_accounts_pending_tokens_stop_working(
    anonymous: GraphQLClient,
) -> None:
    await anonymous.mutate_ok(REGISTER, input=registration("new@example.fr"))
    row = await account("new@example.fr")
    client = await login_as(anonymous.http, row)
    await client.mutate_ok(DELETE, password="Un mot de passe solide 42")
    assert await AccountToken.filter(used_at__isnull=True).count() == 0


async def test_deleting_with_a_wrong_password_changes_nothing(buyer: GraphQLClient) -> None:
    before = await counts()
    payload = await buyer.mutate(DELETE, password="wrong")
    assert payload["errors"] == [{"code": "INVALID_CREDENTIALS", "field": "password"}]
    assert (await buyer.query(ME))["me"]["email"] == EMAIL
    assert (await account(EMAIL)).deleted_at is None
    assert await counts() == before


async def test_delete_account_needs_a_login(anonymous: GraphQLClient) -> None:
    assert await anonymous.error_codes(DELETE, password=PASSWORD) == ["UNAUTHENTICATED"]


async def test_deletion_hands_pending_orders_to_the_orders_module(
    buyer: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import resolvers.orders  # noqa: F401  (the orders module must be importable)

    calls: list[int] = []

    async def on_account_deleted(*, account_id: int, policy: object) -> None:
        calls.append(account_id)

    monkeypatch.setattr(sys.modules["resolvers.orders"], "on_account_deleted", on_account_deleted)
    await buyer.mutate_ok(DELETE, password=PASSWORD)
    assert calls == [buyer.account_id]


async def test_a_failure_in_the_orders_module_keeps_the_account(
    buyer: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = types.ModuleType("resolvers.orders")

    async def on_account_deleted(*, account_id: int, policy: object) -> None:
        raise RuntimeError("orders are down")

    fake.on_account_deleted = on_account_deleted  # type: ignore[attr-defined]  # a bare module
    monkeypatch.setitem(sys.modules, "resolvers.orders", fake)
    assert await buyer.error_codes(DELETE, password=PASSWORD) == ["INTERNAL"]
    assert (await account(EMAIL)).deleted_at is None
    assert (await buyer.query(ME))["me"]["email"] == EMAIL


async def test_deletion_cancels_pending_orders_and_keeps_the_others_anonymised(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    (pending,) = await reserve(buyer, (product, 2))
    (validated,) = await reserve(buyer, (product, 3))
    await validate_order(await actor_of(seller), order_id=validated.id, policy=policy)
    await buyer.mutate_ok(DELETE, password=PASSWORD)
    assert (await Order.get(id=pending.id)).status is OrderStatus.CANCELLED
    kept = await Order.get(id=validated.id)
    assert kept.status is OrderStatus.VALIDATED
    assert kept.buyer_id == buyer.account_id
    seen = await seller.query(
        "query($id: ID!) { order(id: $id) { buyer { email firstName } } }",
        id=encode_id("Order", validated.id),
    )
    assert seen["order"]["buyer"]["firstName"] == "Compte supprimé"
    assert EMAIL not in seen["order"]["buyer"]["email"]
