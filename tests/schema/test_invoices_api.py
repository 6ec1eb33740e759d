"""`invoice`, `invoices`, `Order.invoices` and `Product.vatRate` over HTTP, by every kind of
caller: the buyer (12 months), colleagues with and without SEE_INVOICES, sellers, admins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx

from models.accounts import Account, Role
from models.catalog import Product
from models.invoices import Invoice
from models.orders import Order
from resolvers.invoices import issue_credit_note
from resolvers.policy import Policy
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.claims_helpers import RESOLVE, delivered_order, open_claim
from tests.clients import GraphQLClient
from tests.factories import login_as, make_account
from tests.invoices_helpers import refund_row, shipped

FIELDS = """id kind number year sequence sellerName sellerVatNumber buyerName buyerCompany
  buyerVatNumber billingAddress { line1 postalCode city country } total totalExcludingVat
  lines { description quantity unitPrice vatRate total } vat { rate base amount } pdfUrl
  order { number } seller { name } corrects { number } refund { id }"""
INVOICE = f"query($id: ID!) {{ invoice(id: $id) {{ {FIELDS} }} }}"
INVOICES = """query($f: InvoiceFilter, $first: Int, $after: String) {
  invoices(filter: $f, first: $first, after: $after) {
    edges { cursor node { number kind } } pageInfo { hasNextPage endCursor } } }"""
ORDER_INVOICES = "query($id: ID!) { order(id: $id) { invoices { number kind total } } }"
CREATE = """mutation($input: ProductInput!) { createProduct(input: $input) {
  errors { code field } product { vatRate } } }"""


def _gid(invoice: Invoice) -> str:
    return encode_id("Invoice", invoice.id)


async def _numbers(client: GraphQLClient, **variables: object) -> list[str]:
    data = await client.query(INVOICES, **variables)
    return [edge["node"]["number"] for edge in data["invoices"]["edges"]]


async def test_the_buyer_reads_the_invoice_in_full(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    book = await make_product(
        seller, name="Guide du carrelage", price="12.00", vat_rate=Decimal("5.5")
    )
    cement = await make_product(seller, price="9.90")
    order, invoice = await shipped(buyer, seller, (cement, 3), (book, 1))

    got = (await buyer.query(INVOICE, id=_gid(invoice)))["invoice"]

    assert (got["kind"], got["number"], got["sequence"]) == ("INVOICE", invoice.number, 1)
    assert (got["sellerName"], got["buyerName"], got["buyerCompany"]) == (
        "BatiPro",
        "Camille Martin",
        None,
    )
    assert got["billingAddress"] == {
        "line1": "12 rue Oberkampf",
        "postalCode": "75011",
        "city": "Paris",
        "country": "FR",
    }
    assert (got["total"], got["totalExcludingVat"]) == ("46.70", "40.29")
    assert got["vat"] == [
        {"rate": "5.50", "base": "11.37", "amount": "0.63"},
        {"rate": "20.00", "base": "28.92", "amount": "5.78"},
    ]
    assert got["lines"][2] == {
        "description": "Frais de petite commande",
        "quantity": 1,
        "unitPrice": "5.00",
        "vatRate": "20.00",
        "total": "5.00",
    }
    assert got["order"]["number"] == order.number
    assert got["seller"]["name"] == "BatiPro"
    assert got["pdfUrl"].startswith(f"http://testserver.local/files/invoice/{invoice.id}?")
    assert (got["corrects"], got["refund"]) == (None, None)
    assert await _numbers(buyer) == [invoice.number]
    listed = (await buyer.query(ORDER_INVOICES, id=encode_id("Order", order.id)))["order"]
    assert listed["invoices"] == [{"number": invoice.number, "kind": "INVOICE", "total": "46.70"}]


async def test_other_buyers_and_sellers_see_nothing(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_buyer: GraphQLClient,
    other_seller: GraphQLClient,
    company_member: GraphQLClient,
) -> None:
    product = await make_product(seller)
    _, invoice = await shipped(buyer, seller, (product, 1))
    for stranger in (other_buyer, other_seller, company_member):
        assert (await stranger.query(INVOICE, id=_gid(invoice)))["invoice"] is None
        assert await _numbers(stranger) == []


async def test_anonymous_callers_must_log_in(
    anonymous: GraphQLClient, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    _, invoice = await shipped(buyer, seller, (product, 1))
    assert await anonymous.error_codes(INVOICE, id=_gid(invoice)) == ["UNAUTHENTICATED"]
    assert await anonymous.error_codes(INVOICES) == ["UNAUTHENTICATED"]


async def test_the_seller_and_admins_see_every_document_issued(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    product = await make_product(seller)
    _, invoice = await shipped(buyer, seller, (product, 1))
    for reader in (seller, admin):
        assert (await reader.query(INVOICE, id=_gid(invoice)))["invoice"]["number"] == (
            invoice.number
        )
        assert await _numbers(reader) == [invoice.number]


async def test_colleagues_need_see_invoices_for_the_companys_invoices(
    http: httpx.AsyncClient, company_member: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    _, invoice = await shipped(company_member, seller, (product, 1))
    member = await Account.get(id=company_member.account_id)
    blind = await login_as(
        http,
        await make_account(
            Role.BUYER,
            email="blind@acme.fr",
            company_id=member.company_id,
            rights=["PLACE_ORDERS", "SEE_COMPANY_ORDERS"],
        ),
    )
    accountant = await login_as(
        http,
        await make_account(
            Role.BUYER,
            email="compta@acme.fr",
            company_id=member.company_id,
            rights=["SEE_INVOICES"],
        ),
    )

    assert (await blind.query(INVOICE, id=_gid(invoice)))["invoice"] is None
    assert await _numbers(blind) == []
    got = (await accountant.query(INVOICE, id=_gid(invoice)))["invoice"]
    assert (got["number"], got["buyerCompany"]) == (invoice.number, "ACME BTP")
    assert await _numbers(accountant) == [invoice.number]
    # Reading the company's invoices is not reading its orders.
    assert got["order"] is None
    assert (await company_member.query(INVOICE, id=_gid(invoice)))["invoice"]["order"] == {
        "number": (await Order.get(id=invoice.order_id)).number
    }


async def test_buyers_see_twelve_months_back_and_sellers_for_ever(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    _, old = await shipped(buyer, seller, (product, 1))
    _, recent = await shipped(buyer, seller, (product, 1))
    now = datetime.now(UTC)
    await Invoice.filter(id=old.id).update(issued_at=now - timedelta(days=367))
    await Invoice.filter(id=recent.id).update(issued_at=now - timedelta(days=360))

    assert (await buyer.query(INVOICE, id=_gid(old)))["invoice"] is None
    assert await _numbers(buyer) == [recent.number]
    assert await _numbers(seller) == [recent.number, old.number]


async def test_listing_is_newest_first_in_keyset_pages_with_filters(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    invoices = [(await shipped(buyer, seller, (product, 1)))[1] for _ in range(3)]
    refund = await refund_row(await Order.get(id=invoices[0].order_id), "1.00")
    note = await issue_credit_note(
        order_id=invoices[0].order_id,
        refund_id=refund.id,
        amount=Decimal("1.00"),
        reason="Geste",
        policy=policy,
        now=datetime.now(UTC),
    )
    expected = [note.number] + [i.number for i in reversed(invoices)]

    first = (await buyer.query(INVOICES, first=2))["invoices"]
    rest = await buyer.query(INVOICES, first=2, after=first["pageInfo"]["endCursor"])
    seen = [e["node"]["number"] for e in first["edges"] + rest["invoices"]["edges"]]
    assert seen == expected
    assert first["pageInfo"]["hasNextPage"]
    assert not rest["invoices"]["pageInfo"]["hasNextPage"]
    assert await _numbers(buyer, f={"kind": "CREDIT_NOTE"}) == [note.number]
    assert await _numbers(buyer, f={"orderId": encode_id("Order", invoices[1].order_id)}) == [
        invoices[1].number
    ]
    got = (await buyer.query(INVOICE, id=_gid(note)))["invoice"]
    assert (got["kind"], got["corrects"]["number"], got["total"]) == (
        "CREDIT_NOTE",
        invoices[0].number,
        "1.00",
    )
    assert await buyer.error_codes(INVOICES, first=101) == ["INVALID_INPUT"]


def _product(**extra: object) -> dict[str, object]:
    return {
        "name": "Parpaing creux 20",
        "description": "Bloc béton.",
        "category": "Gros œuvre",
        "price": "1.20",
        "stock": 10,
        "deliveryZones": ["75"],
        **extra,
    }


async def test_products_carry_a_vat_rate_defaulting_to_the_settings(seller: GraphQLClient) -> None:
    default = await seller.mutate_ok(CREATE, input=_product())
    reduced = await seller.mutate_ok(CREATE, input=_product(vatRate="5.5"))
    assert default["product"]["vatRate"] == "20.00"
    assert reduced["product"]["vatRate"] == "5.50"


async def test_an_impossible_vat_rate_is_refused_and_creates_nothing(seller: GraphQLClient) -> None:
    for rate in ("-1", "100", "5.555"):
        payload = await seller.mutate(CREATE, input=_product(vatRate=rate))
        assert payload["errors"] == [{"code": "INVALID_INPUT", "field": "vatRate"}]
        assert payload["product"] is None
    assert await Product.all().count() == 0


REFUND_NOTES = """query($id: ID!) { order(id: $id) { refunds { amount
  creditNote { kind number sequence total corrects { number } refund { amount } } } } }"""


async def test_a_claims_refund_issues_a_credit_note_in_the_sellers_sequence(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    delivered = await delivered_order(buyer, seller, 2)
    invoice = await Invoice.get(order_id=delivered.order.id)
    claim = await open_claim(buyer, delivered)

    await seller.mutate_ok(
        RESOLVE,
        input={
            "claimId": encode_id("Claim", claim.id),
            "resolution": "REFUND",
            "refundAmount": "25.00",
            "reason": "Perceuse défectueuse",
            "idempotencyKey": "refund-1",
        },
    )
    product = await make_product(seller, name="Autre produit")
    _, later = await shipped(buyer, seller, (product, 1))

    (refund,) = (await buyer.query(REFUND_NOTES, id=encode_id("Order", delivered.order.id)))[
        "order"
    ]["refunds"]
    note = refund["creditNote"]
    assert (note["kind"], note["total"], refund["amount"]) == ("CREDIT_NOTE", "25.00", "25.00")
    assert (invoice.sequence, note["sequence"], later.sequence) == (1, 2, 3)
    assert note["corrects"]["number"] == invoice.number
    assert note["refund"]["amount"] == "25.00"
    assert (await seller.query(REFUND_NOTES, id=encode_id("Order", delivered.order.id)))["order"][
        "refunds"
    ][0]["creditNote"]["number"] == note["number"]
