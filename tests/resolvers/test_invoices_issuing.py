"""What an issued document holds: a snapshot of both parties, the lines and the VAT, which
nothing done afterwards changes; credit notes continue the seller's one sequence."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from tortoise.exceptions import IntegrityError

from models.accounts import Account, Company, Role, Seller
from models.claims import Refund
from models.invoices import Invoice, InvoiceKind
from resolvers.accounts.profile import ProfileChanges, update_profile
from resolvers.catalog import update_product
from resolvers.invoices import issue_credit_note
from resolvers.policy import Policy
from tests.catalog_helpers import make_product, product_data, seller_actor
from tests.clients import GraphQLClient
from tests.factories import login_as, make_account
from tests.invoices_helpers import document_rows, refund_row, shipped

D = Decimal


async def _seller_with_company(http: httpx.AsyncClient) -> GraphQLClient:
    account = await make_account(
        Role.SELLER,
        email="ventes@quincaillerie.fr",
        shop_name="Quincaillerie Léon",
        company="Quincaillerie Léon SARL",
    )
    return await login_as(http, account)


def _snapshot(invoice: Invoice) -> dict[str, object]:
    return {name: getattr(invoice, name) for name in invoice._meta.db_fields}


async def test_a_company_buyers_invoice_copies_both_parties_and_bills_the_company(
    http: httpx.AsyncClient, company_member: GraphQLClient
) -> None:
    seller = await _seller_with_company(http)
    product = await make_product(seller, price="12.50")
    order, invoice = await shipped(company_member, seller, (product, 2))

    buyer = await Account.get(id=company_member.account_id)
    company = await Company.get(id=buyer.company_id)
    shop = await Seller.get(id=order.seller_id).select_related("account")
    seller_company = await Company.get(id=shop.account.company_id)
    assert invoice.kind is InvoiceKind.INVOICE
    assert (invoice.seller_name, invoice.seller_vat_number) == (
        "Quincaillerie Léon",
        seller_company.vat_number,
    )
    assert invoice.seller_address == {
        "line1": seller_company.line1,
        "city": "Paris",
        "postal_code": "75002",
        "country": "FR",
    }
    assert (invoice.buyer_name, invoice.buyer_company, invoice.buyer_vat_number) == (
        "Camille Martin",
        "ACME BTP",
        company.vat_number,
    )
    assert (
        invoice.billing_line1,
        invoice.billing_postal_code,
        invoice.billing_city,
        invoice.billing_country,
    ) == (company.line1, company.postal_code, company.city, "FR")
    assert (invoice.buyer_id, invoice.company_id) == (buyer.id, company.id)


async def test_a_private_buyer_is_billed_at_the_delivery_address(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    order, invoice = await shipped(buyer, seller, (product, 1))
    assert (invoice.buyer_company, invoice.buyer_vat_number, invoice.seller_vat_number) == (
        None,
        None,
        None,
    )
    assert (invoice.billing_line1, invoice.billing_postal_code, invoice.billing_city) == (
        order.address_line1,
        order.address_postal_code,
        order.address_city,
    )


async def test_lines_rates_and_the_fee_line_add_up_to_the_order_total(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    book = await make_product(seller, name="Guide du carrelage", price="12.00", vat_rate=D("5.5"))
    cement = await make_product(seller, price="9.90")
    order, invoice = await shipped(buyer, seller, (cement, 3), (book, 1))

    assert order.small_order_fee == D("5.00")
    assert invoice.lines == [
        {
            "description": "Ciment gris CEM II 35 kg",
            "quantity": 3,
            "unit_price": "9.90",
            "vat_rate": "20.00",
            "total": "29.70",
        },
        {
            "description": "Guide du carrelage",
            "quantity": 1,
            "unit_price": "12.00",
            "vat_rate": "5.50",
            "total": "12.00",
        },
        {
            "description": "Frais de petite commande",
            "quantity": 1,
            "unit_price": "5.00",
            "vat_rate": "20.00",
            "total": "5.00",
        },
    ]
    assert invoice.vat == [
        {"rate": "5.50", "base": "11.37", "amount": "0.63"},
        {"rate": "20.00", "base": "28.92", "amount": "5.78"},
    ]
    assert (invoice.total, invoice.total_excluding_vat) == (order.total, D("40.29"))
    assert invoice.total == D("46.70")


async def test_an_order_over_the_threshold_has_no_fee_line(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, price="60.00")
    order, invoice = await shipped(buyer, seller, (product, 2))
    assert [line["description"] for line in invoice.lines] == ["Ciment gris CEM II 35 kg"]
    assert invoice.total == order.total == D("120.00")


async def test_nothing_done_later_changes_an_issued_invoice(
    http: httpx.AsyncClient, company_member: GraphQLClient
) -> None:
    seller = await _seller_with_company(http)
    product = await make_product(seller, price="12.50")
    _, invoice = await shipped(company_member, seller, (product, 2))
    before = _snapshot(await Invoice.get(id=invoice.id))

    shop = await seller_actor(seller)
    await update_product(
        shop,
        product_id=product.id,
        data=product_data(name="Autre nom", price=D("99.00"), vat_rate=D("10")),
    )
    await update_profile(
        shop, changes=ProfileChanges(shop_name="Nouvelle enseigne", first_name="Jean")
    )
    buyer = await Account.get(id=company_member.account_id)
    await Account.filter(id=buyer.id).update(first_name="Autre", last_name="Personne")
    await Company.filter(id=buyer.company_id).update(
        name="Autre société", line1="9 rue Neuve", vat_number="FR40303265045"
    )

    assert _snapshot(await Invoice.get(id=invoice.id)) == before


async def test_a_credit_note_continues_the_sellers_sequence_and_splits_the_refund(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    book = await make_product(seller, name="Guide du carrelage", price="12.00", vat_rate=D("5.5"))
    cement = await make_product(seller, price="9.90")
    order, invoice = await shipped(buyer, seller, (cement, 3), (book, 1))

    refund = await refund_row(order, "10.00")
    note = await issue_credit_note(
        order_id=order.id,
        refund_id=refund.id,
        amount=D("10.00"),
        reason="Sac abîmé",
        policy=policy,
        now=datetime.now(UTC),
    )
    _, later = await shipped(buyer, seller, (cement, 1))

    assert note.kind is InvoiceKind.CREDIT_NOTE
    assert [invoice.sequence, note.sequence, later.sequence] == [1, 2, 3]
    assert note.number.rsplit("-", 1)[1] == "000002"
    assert (note.corrects_id, note.refund_id, note.order_id) == (invoice.id, refund.id, order.id)
    assert note.total == D("10.00")
    # 46.70 = 12.00 at 5.5 % + 34.70 at 20 %: 10.00 splits 2.57 / 7.43.
    assert [(line["vat_rate"], line["total"]) for line in note.lines] == [
        ("5.50", "2.57"),
        ("20.00", "7.43"),
    ]
    assert all(
        "Sac abîmé" in line["description"] and invoice.number in line["description"]
        for line in note.lines
    )
    assert sum(D(v["base"]) + D(v["amount"]) for v in note.vat) == D("10.00")
    assert note.total_excluding_vat == sum(D(v["base"]) for v in note.vat)


@pytest.mark.parametrize("amount", [D("0"), D("-5.00"), D("1.005")])
async def test_a_credit_note_for_no_money_or_fractions_of_a_cent_is_refused(
    buyer: GraphQLClient, seller: GraphQLClient, amount: Decimal, policy: Policy
) -> None:
    product = await make_product(seller)
    order, _ = await shipped(buyer, seller, (product, 1))
    refund = await refund_row(order, "1.00")
    before = await document_rows()
    with pytest.raises(ValueError, match="positive amount in cents"):
        await issue_credit_note(
            order_id=order.id,
            refund_id=refund.id,
            amount=amount,
            reason="x",
            policy=policy,
            now=datetime.now(UTC),
        )
    assert await document_rows() == before


async def test_a_credit_note_needs_an_existing_refund_which_then_cannot_be_deleted(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    order, _ = await shipped(buyer, seller, (product, 1))
    refund = await refund_row(order, "1.00")
    before = await document_rows()
    with pytest.raises(IntegrityError):
        await issue_credit_note(
            order_id=order.id,
            refund_id=refund.id + 1,
            amount=D("1.00"),
            reason="x",
            policy=policy,
            now=datetime.now(UTC),
        )
    assert await document_rows() == before

    note = await issue_credit_note(
        order_id=order.id,
        refund_id=refund.id,
        amount=D("1.00"),
        reason="x",
        policy=policy,
        now=datetime.now(UTC),
    )
    with pytest.raises(IntegrityError):
        await Refund.filter(id=refund.id).delete()
    assert (await Invoice.get(id=note.id)).refund_id == refund.id
    assert await Refund.exists(id=refund.id)
