"""The invoice PDF behind its signed link: read back with pypdf, drawn to PNG with pdftoppm;
tampered, expired or misdirected links get 403 and no bytes."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from pypdf import PdfReader

from models.accounts import Account, Company
from resolvers.links import signed_url
from resolvers.policy import Policy
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.invoices_helpers import shipped

PDF_URL = "query($id: ID!) { invoice(id: $id) { pdfUrl } }"


async def _link(client: GraphQLClient, invoice_id: int) -> str:
    data = await client.query(PDF_URL, id=encode_id("Invoice", invoice_id))
    url: str = data["invoice"]["pdfUrl"]
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _company_invoice(company_member: GraphQLClient, seller: GraphQLClient) -> tuple[int, str]:
    book = await make_product(
        seller, name="Guide du carrelage é à ç", price="1234.00", vat_rate=Decimal("5.5")
    )
    cement = await make_product(seller, price="9.90")
    _, invoice = await shipped(company_member, seller, (cement, 3), (book, 1))
    return invoice.id, invoice.number


def _page_one_png(content: bytes, folder: Path) -> bytes:
    """Page 1 drawn by poppler; COMPTOIR_INVOICE_PNG=docs/invoice-example.png keeps it."""
    pdf = folder / "invoice.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(folder / "page"),
        ],
        check=True,
    )
    png = (folder / "page.png").read_bytes()
    if keep := os.environ.get("COMPTOIR_INVOICE_PNG"):
        Path(keep).write_bytes(png)
    return png


async def test_the_pdf_shows_number_parties_lines_vat_and_total_in_french(
    http: httpx.AsyncClient, company_member: GraphQLClient, seller: GraphQLClient, tmp_path: Path
) -> None:
    invoice_id, number = await _company_invoice(company_member, seller)

    response = await http.get(await _link(company_member, invoice_id))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="{number}.pdf"' in response.headers["content-disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    company = await Company.get(id=(await Account.get(id=company_member.account_id)).company_id)
    for expected in (
        f"Facture n° {number}",
        "Date d'émission",
        "Vendeur",
        "BatiPro",
        "Client",
        "ACME BTP",
        "Camille Martin",
        f"N° TVA : {company.vat_number}",
        "Guide du carrelage é à ç",
        "Désignation",
        "Taux de TVA",
        "5,5 %",
        "20 %",
        "Total HT",
        "Total TTC",
        "1 263,70 €",
    ):
        assert expected in text, expected

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    png = _page_one_png(response.content, tmp_path)
    assert png.startswith(b"\x89PNG")
    assert len(png) > 10_000


async def test_tampered_expired_or_misdirected_links_get_403_and_no_bytes(
    http: httpx.AsyncClient, buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    _, first = await shipped(buyer, seller, (product, 1))
    _, second = await shipped(buyer, seller, (product, 1))
    link = await _link(buyer, first.id)
    policy = policy
    expired = signed_url(
        policy=policy,
        kind="invoice",
        object_id=first.id,
        now=datetime.now(UTC) - timedelta(hours=1),
    )
    as_photo = signed_url(policy=policy, kind="photo", object_id=first.id)
    bad = [
        link.replace(f"/invoice/{first.id}?", f"/invoice/{second.id}?"),
        link[:-1] + ("0" if link[-1] != "0" else "1"),
        link.split("&")[0],
        urlsplit(expired).path + "?" + urlsplit(expired).query,
        urlsplit(as_photo).path.replace("/photo/", "/invoice/") + "?" + urlsplit(as_photo).query,
    ]

    for url in bad:
        response = await http.get(url)
        assert response.status_code == 403, url
        assert b"%PDF" not in response.content
    assert (await http.get(link)).status_code == 200


async def test_someone_elses_invoice_hands_out_no_link(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_buyer: GraphQLClient,
    other_seller: GraphQLClient,
) -> None:
    product = await make_product(seller)
    _, invoice = await shipped(buyer, seller, (product, 1))
    for stranger in (other_buyer, other_seller):
        data = await stranger.query(PDF_URL, id=encode_id("Invoice", invoice.id))
        assert data["invoice"] is None
