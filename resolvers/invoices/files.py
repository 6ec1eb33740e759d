"""Invoice PDFs behind signed links: the link a reader is handed, and what the link serves."""

from __future__ import annotations

import asyncio

from models.invoices import Invoice
from models.orders import Order
from resolvers.invoices.pdf import render_pdf
from resolvers.links import StoredFile, signed_url
from resolvers.policy import Policy

KIND = "invoice"


def pdf_url(invoice: Invoice, *, policy: Policy) -> str:
    """A link to the document's PDF, valid COMPTOIR_DOCUMENT_LINK_MINUTES: whoever may read
    the document is handed it, whoever holds it may download the file until it expires."""
    return signed_url(policy=policy, kind=KIND, object_id=invoice.id)


async def invoice_pdf(invoice_id: int, *, policy: Policy) -> StoredFile | None:
    """The document's PDF, drawn on demand from its snapshot (None: no such document)."""
    invoice = await Invoice.get_or_none(id=invoice_id)
    if invoice is None:
        return None
    order_number = await Order.get(id=invoice.order_id).values_list("number", flat=True)
    corrected = None
    if invoice.corrects_id is not None:
        corrected = await Invoice.get(id=invoice.corrects_id).values_list("number", flat=True)
    # Drawing a page takes tens of milliseconds of CPU: not on the event loop.
    content = await asyncio.to_thread(
        render_pdf,
        invoice,
        order_number=str(order_number),
        corrected_number=None if corrected is None else str(corrected),
        time_zone=policy.time_zone,
    )
    return StoredFile(
        content=content, content_type="application/pdf", filename=f"{invoice.number}.pdf"
    )
