"""Who sees which document, the `invoices` list, and batch reads for the DataLoaders.

Seed 003: buyers find their invoices "jusqu'à 12 mois en arrière", and a company's main user
decides which colleagues see the company's invoices (SEE_INVOICES).  Sellers see every
document they issued, admins all of them.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.accounts import CompanyRight
from models.invoices import Invoice, InvoiceKind
from resolvers.actor import Actor, require_login
from resolvers.pagination import Page, PageRequest, newest_first, time_window
from resolvers.policy import Policy


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when it
    is shorter: 31 March - 1 month = 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def history_start(policy: Policy, now: datetime | None = None) -> datetime:
    """The oldest issue date a buyer still sees (COMPTOIR_INVOICE_HISTORY_MONTHS back)."""
    return months_before(now or datetime.now(UTC), policy.invoice_history_months)


def _sees_company_invoices(actor: Actor) -> bool:
    return actor.company_id is not None and CompanyRight.SEE_INVOICES in actor.rights


def visible_invoices(
    actor: Actor, *, policy: Policy, now: datetime | None = None
) -> QuerySet[Invoice]:
    """The documents `actor` may read, as a query (the same rule as `can_see_invoice`)."""
    if actor.is_admin:
        return Invoice.all()
    if actor.is_seller:
        return Invoice.filter(seller_id=actor.seller_id if actor.seller_id is not None else -1)
    if not actor.is_buyer:
        return Invoice.filter(id__in=[])
    recent = Invoice.filter(issued_at__gte=history_start(policy, now))
    if _sees_company_invoices(actor):
        return recent.filter(Q(buyer_id=actor.account_id) | Q(company_id=actor.company_id))
    return recent.filter(buyer_id=actor.account_id)


def can_see_invoice(
    actor: Actor, invoice: Invoice, *, policy: Policy, now: datetime | None = None
) -> bool:
    if actor.is_admin:
        return True
    if actor.is_seller:
        return actor.seller_id is not None and invoice.seller_id == actor.seller_id
    if not actor.is_buyer or invoice.issued_at < history_start(policy, now):
        return False
    return invoice.buyer_id == actor.account_id or (
        _sees_company_invoices(actor) and invoice.company_id == actor.company_id
    )


async def read_invoice(actor: Actor, *, invoice_id: int | None, policy: Policy) -> Invoice | None:
    """The `invoice(id)` query: a login is needed; someone else's document looks missing."""
    require_login(actor)
    if invoice_id is None:
        return None
    invoice = await Invoice.get_or_none(id=invoice_id)
    return (
        invoice if invoice is not None and can_see_invoice(actor, invoice, policy=policy) else None
    )


async def list_invoices(
    actor: Actor,
    *,
    page: PageRequest,
    policy: Policy,
    kind: InvoiceKind | None = None,
    order_id: int | None = None,
    issued_after: datetime | None = None,
    issued_before: datetime | None = None,
) -> Page[Invoice]:
    """The caller's documents, newest first ("mes factures"), with optional filters."""
    require_login(actor)
    issued_after, issued_before = time_window(
        issued_after, issued_before, ("issuedAfter", "issuedBefore")
    )
    query = visible_invoices(actor, policy=policy)
    if kind is not None:
        query = query.filter(kind=kind)
    if order_id is not None:
        query = query.filter(order_id=order_id)
    if issued_after is not None:
        query = query.filter(issued_at__gte=issued_after)
    if issued_before is not None:
        query = query.filter(issued_at__lt=issued_before)
    return await newest_first(query, page)


async def invoices_of_orders(
    actor: Actor, order_ids: Sequence[int], *, policy: Policy
) -> list[list[Invoice]]:
    """Each order's documents the caller may read, oldest first, in one query."""
    grouped: dict[int, list[Invoice]] = defaultdict(list)
    rows = visible_invoices(actor, policy=policy).filter(order_id__in=list(order_ids))
    for invoice in await rows.order_by("id"):
        grouped[invoice.order_id].append(invoice)
    return [grouped.get(i, []) for i in order_ids]


async def credit_note_of(actor: Actor, *, refund_id: int, policy: Policy) -> Invoice | None:
    """`Refund.creditNote`: the refund's credit note, if the caller may read it."""
    return await visible_invoices(actor, policy=policy).filter(refund_id=refund_id).first()
