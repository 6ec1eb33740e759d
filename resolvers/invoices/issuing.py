"""Issuing documents: an order's invoice when it ships, a credit note for each refund.

Both run inside the caller's transaction (the status change, the refund) and copy everything
the document shows, so later edits of products, prices, profiles or companies never reach it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from models.accounts import Account, Company, Seller
from models.invoices import Invoice, InvoiceKind
from models.orders import Order, OrderLine
from realtime.log import atomic
from resolvers.catalog.products import vat_rate_of
from resolvers.invoices.amounts import (
    Line,
    VatAmount,
    rate_sums,
    split_in_proportion,
    vat_of,
)
from resolvers.invoices.numbering import take_number
from resolvers.policy import Policy
from resolvers.pricing import CENT, line_total

FEE_LABEL = "Frais de petite commande"


def invoice_lines(order: Order, lines: list[OrderLine], *, policy: Policy) -> list[Line]:
    """The order's lines as invoiced, the small-order fee as a line of its own."""
    result = [
        Line(
            description=line.product_name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=vat_rate_of(line.vat_rate, policy=policy),
            total=line_total(line.unit_price, line.quantity),
        )
        for line in lines
    ]
    if order.small_order_fee:
        result.append(
            Line(
                description=FEE_LABEL,
                quantity=1,
                unit_price=order.small_order_fee,
                vat_rate=policy.default_vat_rate,
                total=order.small_order_fee,
            )
        )
    return result


def _money(values: dict[str, Any]) -> dict[str, Any]:
    # JSON has no decimals: money and rates are kept as their exact strings.
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


async def _parties(order: Order) -> dict[str, Any]:
    """Who sells and who buys, as the document will show them for good."""
    seller = await Seller.get(id=order.seller_id).select_related("account")
    seller_company = (
        await Company.get_or_none(id=seller.account.company_id)
        if seller.account.company_id is not None
        else None
    )
    buyer = await Account.get(id=order.buyer_id)
    company = (
        await Company.get_or_none(id=order.company_id) if order.company_id is not None else None
    )
    # Seed 003: a company's billing data is its registered address; a private buyer is
    # billed at the address the order was delivered to.
    billing: tuple[str, str | None, str, str, str]
    if company is not None:
        billing = (company.line1, None, company.postal_code, company.city, company.country)
    else:
        billing = (
            order.address_line1,
            order.address_line2,
            order.address_postal_code,
            order.address_city,
            order.address_country,
        )
    return {
        "seller_name": seller.name,
        "seller_vat_number": seller_company.vat_number if seller_company else None,
        "seller_address": None
        if seller_company is None
        else {
            "line1": seller_company.line1,
            "postal_code": seller_company.postal_code,
            "city": seller_company.city,
            "country": seller_company.country,
        },
        "buyer_name": f"{buyer.first_name} {buyer.last_name}".strip(),
        "buyer_company": company.name if company else None,
        "buyer_vat_number": company.vat_number if company else None,
        **dict(
            zip(
                (
                    "billing_line1",
                    "billing_line2",
                    "billing_postal_code",
                    "billing_city",
                    "billing_country",
                ),
                billing,
                strict=True,
            )
        ),
    }


async def _issue(
    order: Order,
    *,
    kind: InvoiceKind,
    lines: list[Line],
    vat: list[VatAmount],
    policy: Policy,
    now: datetime,
    **extra: Any,
) -> Invoice:
    parties = await _parties(order)
    year = now.astimezone(ZoneInfo(policy.time_zone)).year
    sequence, number = await take_number(
        seller_id=order.seller_id, seller_name=parties["seller_name"], year=year
    )
    return await Invoice.create(
        kind=kind,
        seller_id=order.seller_id,
        year=year,
        sequence=sequence,
        number=number,
        issued_at=now,
        order_id=order.id,
        buyer_id=order.buyer_id,
        company_id=order.company_id,
        lines=[_money(asdict(line)) for line in lines],
        vat=[_money(asdict(v)) for v in vat],
        total_excluding_vat=sum((v.base for v in vat), Decimal(0)),
        total=sum((line.total for line in lines), Decimal(0)),
        **parties,
        **extra,
    )


async def issue_invoice(order: Order, *, policy: Policy, now: datetime) -> Invoice:
    """The order's invoice, in the transaction that ships it; its total is the order's."""
    lines = invoice_lines(
        order, list(await OrderLine.filter(order_id=order.id).order_by("id")), policy=policy
    )
    total = sum((line.total for line in lines), Decimal(0))
    if total != order.total:
        raise RuntimeError(f"order {order.id}: lines add up to {total}, not {order.total}")
    async with atomic():
        return await _issue(
            order,
            kind=InvoiceKind.INVOICE,
            lines=lines,
            vat=vat_of(rate_sums(lines)),
            policy=policy,
            now=now,
        )


async def issue_credit_note(
    *, order_id: int, refund_id: int, amount: Decimal, reason: str, policy: Policy, now: datetime
) -> Invoice:
    """A credit note for a refund of `amount` on the order, in the refund's transaction.

    It corrects the order's invoice and splits the refund over the invoice's VAT rates in
    proportion to what each rate weighs in the order, to the cent.
    """
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValueError(f"a refund is a positive amount in cents, not {amount}")
    async with atomic():
        order = await Order.get(id=order_id)
        invoice = await Invoice.filter(order_id=order_id, kind=InvoiceKind.INVOICE).first()
        if invoice is not None:
            # The rates as invoiced, whatever the default rate has become since.
            sums = {
                Decimal(v["rate"]): Decimal(v["base"]) + Decimal(v["amount"]) for v in invoice.vat
            }
        else:  # shipped before invoices existed: the order's lines as they would be invoiced
            sums = rate_sums(
                invoice_lines(order, list(await OrderLine.filter(order_id=order_id)), policy=policy)
            )
        shares = split_in_proportion(amount, sums)
        label = f"Remboursement : {reason}"
        if invoice is not None:
            label += f" (facture {invoice.number})"
        credited = [
            Line(description=label, quantity=1, unit_price=share, vat_rate=rate, total=share)
            for rate, share in shares.items()
        ]
        return await _issue(
            order,
            kind=InvoiceKind.CREDIT_NOTE,
            lines=credited,
            vat=vat_of(shares),
            policy=policy,
            now=now,
            refund_id=refund_id,
            corrects_id=invoice.id if invoice is not None else None,
        )
