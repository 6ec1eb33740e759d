"""The PDF of an issued document, in French, drawn from its snapshot alone.

fpdf2 draws it with DejaVu Sans, shipped in `fonts/` and embedded (subset) in every file:
accents, "€" and any name a buyer typed render the same on every machine, with no system
font involved.  The snapshot never changes, so the same document always gives the same PDF.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from models.invoices import Invoice, InvoiceKind

FONTS = Path(__file__).with_name("fonts")
FAMILY = "DejaVu"
TITLES = {InvoiceKind.INVOICE: "Facture", InvoiceKind.CREDIT_NOTE: "Avoir"}


def euros(amount: Decimal | str) -> str:
    """French money: "1 234,50 €" (two decimals, a space between thousands)."""
    whole, cents = f"{Decimal(amount):,.2f}".split(".")
    return f"{whole.replace(',', ' ')},{cents} €"


def percent(rate: Decimal | str) -> str:
    """ "20 %", "5,5 %"."""
    text = f"{Decimal(rate).normalize():f}".replace(".", ",")
    return f"{text} %"


def french_date(moment: datetime, time_zone: str) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%d/%m/%Y")


def _party(title: str, lines: list[str | None]) -> list[str]:
    return [title, *(line for line in lines if line)]


def _seller_lines(invoice: Invoice) -> list[str]:
    address: dict[str, Any] = invoice.seller_address or {}
    place = " ".join(p for p in (address.get("postal_code"), address.get("city")) if p)
    return _party(
        "Vendeur",
        [
            invoice.seller_name,
            address.get("line1"),
            place or None,
            address.get("country"),
            f"N° TVA : {invoice.seller_vat_number}" if invoice.seller_vat_number else None,
        ],
    )


def _buyer_lines(invoice: Invoice) -> list[str]:
    return _party(
        "Client",
        [
            invoice.buyer_company,
            invoice.buyer_name,
            invoice.billing_line1,
            invoice.billing_line2,
            f"{invoice.billing_postal_code} {invoice.billing_city}",
            invoice.billing_country,
            f"N° TVA : {invoice.buyer_vat_number}" if invoice.buyer_vat_number else None,
        ],
    )


class _Document(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FAMILY, size=8)
        self.cell(0, 10, f"Page {self.page_no()}/{{nb}} — prix en euros, TVA incluse", align="C")


def render_pdf(
    invoice: Invoice, *, order_number: str, corrected_number: str | None, time_zone: str
) -> bytes:
    """The document as PDF bytes (CPU-bound: run it off the event loop)."""
    pdf = _Document(format="A4")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_creation_date(invoice.issued_at)
    title = TITLES[invoice.kind]
    pdf.set_title(f"{title} {invoice.number}")
    pdf.set_author(invoice.seller_name)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    pdf.set_font(FAMILY, "B", 18)
    pdf.cell(0, 10, f"{title} n° {invoice.number}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=10)
    facts = [
        f"Date d'émission : {french_date(invoice.issued_at, time_zone)}",
        f"Commande : {order_number}",
    ]
    if corrected_number:
        facts.append(f"Facture corrigée : {corrected_number}")
    for fact in facts:
        pdf.cell(0, 6, fact, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    for column, lines in enumerate((_seller_lines(invoice), _buyer_lines(invoice))):
        pdf.set_xy(pdf.l_margin + column * half, top)
        for index, text in enumerate(lines):
            pdf.set_font(FAMILY, "B" if index == 0 else "", 10)
            pdf.set_x(pdf.l_margin + column * half)
            pdf.multi_cell(half - 4, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), top) + 6)

    pdf.set_font(FAMILY, size=9)
    with pdf.table(
        col_widths=(80, 14, 32, 18, 32), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    ) as table:
        table.row(["Désignation", "Qté", "Prix unitaire TTC", "TVA", "Total TTC"])
        for line in invoice.lines:
            table.row(
                [
                    line["description"],
                    str(line["quantity"]),
                    euros(line["unit_price"]),
                    percent(line["vat_rate"]),
                    euros(line["total"]),
                ]
            )
    pdf.ln(4)

    with pdf.table(
        col_widths=(30, 40, 40), width=110, align="RIGHT", text_align=("RIGHT", "RIGHT", "RIGHT")
    ) as table:
        table.row(["Taux de TVA", "Base HT", "Montant TVA"])
        for vat in invoice.vat:
            table.row([percent(vat["rate"]), euros(vat["base"]), euros(vat["amount"])])
    pdf.ln(4)

    vat_total = sum((Decimal(v["amount"]) for v in invoice.vat), Decimal(0))
    for label, amount, bold in (
        ("Total HT", invoice.total_excluding_vat, False),
        ("Total TVA", vat_total, False),
        ("Total TTC", invoice.total, True),
    ):
        pdf.set_font(FAMILY, "B" if bold else "", 11)
        pdf.cell(pdf.w - pdf.r_margin - pdf.l_margin - 40, 7, label, align="R")
        pdf.cell(40, 7, euros(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
