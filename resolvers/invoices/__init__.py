"""Invoices and credit notes: issuing, numbering, who reads them, and their PDF."""

from resolvers.invoices.files import KIND, invoice_pdf, pdf_url
from resolvers.invoices.issuing import issue_credit_note, issue_invoice
from resolvers.invoices.queries import (
    can_see_invoice,
    credit_note_of,
    invoices_of_orders,
    list_invoices,
    read_invoice,
    visible_invoices,
)

__all__ = [
    "KIND",
    "can_see_invoice",
    "credit_note_of",
    "invoice_pdf",
    "invoices_of_orders",
    "issue_credit_note",
    "issue_invoice",
    "list_invoices",
    "pdf_url",
    "read_invoice",
    "visible_invoices",
]
