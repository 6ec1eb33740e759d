"""From a mutation to a delivered mail: the embedded default writes .eml files under var/mail/."""

from __future__ import annotations

import email
import shutil
from email.policy import default as default_policy
from typing import Any

import httpx
from starlette.applications import Starlette

from comptoir.mail import FileTransport, transport_for
from comptoir.settings import Settings
from models.accounts import Role
from models.mail import OutboxMail
from resolvers.accounts.recovery import answer_reset_requests
from resolvers.mail import send_due_mails
from resolvers.policy import Policy
from schema.ids import encode_id
from tests.accounts_helpers import CONFIRM, REGISTER, registration
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.factories import login_as, make_account
from tests.helpdesk_helpers import OPEN_THREAD

REQUEST_RESET = """
mutation($email: String!) { requestPasswordReset(email: $email) { errors { code } } }"""
ADD_COLLEAGUE = """
mutation($email: String!, $rights: [CompanyRight!]!) {
  addColleague(email: $email, rights: $rights) { errors { code } invitationSent }
}"""


async def test_a_registration_mail_lands_in_var_mail_with_a_working_link(
    anonymous: GraphQLClient,
    policy: Policy,
    settings: Settings,
) -> None:
    transport = transport_for(settings)
    assert isinstance(transport, FileTransport)
    shutil.rmtree(transport.directory, ignore_errors=True)
    await anonymous.mutate_ok(REGISTER, input=registration("eml@example.fr"))
    assert await send_due_mails(transport, policy=policy) == 1
    (mail,) = await OutboxMail.all()
    path = settings.var_dir / "mail" / f"{mail.id:08d}.eml"
    message: Any = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert message["To"] == "eml@example.fr"
    assert message["Subject"] == "Confirmez votre adresse e-mail"
    assert message["From"] == "Comptoir <no-reply@testserver.local>"
    body = message.get_content()
    assert "Bienvenue sur Comptoir" in body
    link = next(line for line in body.splitlines() if "/confirm-email?token=" in line)
    assert link.startswith("http://testserver.local/confirm-email?token=")
    token = link.partition("token=")[2]
    await anonymous.mutate_ok(CONFIRM, token=token)


SPOOFED = {
    "Host": "evil.example.com",
    "X-Forwarded-Host": "evil.example.com",
    "X-Forwarded-Proto": "https",
    "Forwarded": "host=evil.example.com;proto=https",
    "Origin": "http://evil.example.com",
}


async def test_no_mail_link_follows_a_spoofed_host(app: Starlette, policy: Policy) -> None:
    """Every mail with a link: confirmation, reset, invitation, and the seller's new-thread mail."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://evil.example.com", headers=SPOOFED
    ) as evil:
        anonymous = GraphQLClient(evil)
        await anonymous.mutate_ok(REGISTER, input=registration("host@example.fr"))
        main = await make_account(
            Role.BUYER, email="main@acme.fr", company="ACME BTP", rights=["MANAGE_COLLEAGUES"]
        )
        buyer = await login_as(evil, main)
        await anonymous.mutate_ok(REQUEST_RESET, email="main@acme.fr")
        await answer_reset_requests(policy=policy)  # as the jobs runner does
        await buyer.mutate_ok(ADD_COLLEAGUE, email="new@acme.fr", rights=["PLACE_ORDERS"])
        seller = await login_as(
            evil, await make_account(Role.SELLER, email="shop@example.fr", shop_name="BatiPro")
        )
        product = await make_product(seller)
        await buyer.mutate_ok(
            OPEN_THREAD, input={"productId": encode_id("Product", product.id), "body": "Bonjour"}
        )
    bodies = [m.body for m in await OutboxMail.all().order_by("id")]
    expected = ["/confirm-email?token=", "/reset-password?token=", "/accept-invitation?token=", ""]
    assert len(bodies) == len(expected)
    for body, path in zip(bodies, expected, strict=True):
        assert f"http://testserver.local{path}" in body, body
        assert "evil" not in body
