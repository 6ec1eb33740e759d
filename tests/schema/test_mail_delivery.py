"""From a mutation to a delivered mail: the embedded default writes .eml files under var/mail/."""

from __future__ import annotations

import email
import shutil
from email.policy import default as default_policy
from typing import Any

from comptoir.mail import FileTransport, transport_for
from comptoir.settings import get_settings
from models.mail import OutboxMail
from resolvers.mail import send_due_mails
from tests.accounts_helpers import CONFIRM, REGISTER, registration
from tests.clients import GraphQLClient


async def test_a_registration_mail_lands_in_var_mail_with_a_working_link(
    anonymous: GraphQLClient,
) -> None:
    transport = transport_for(get_settings())
    assert isinstance(transport, FileTransport)
    shutil.rmtree(transport.directory, ignore_errors=True)
    await anonymous.mutate_ok(REGISTER, input=registration("eml@example.fr"))
    assert await send_due_mails(transport) == 1
    (mail,) = await OutboxMail.all()
    path = get_settings().var_dir / "mail" / f"{mail.id:08d}.eml"
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


async def test_links_come_from_public_url_never_from_the_host_header(
    anonymous: GraphQLClient,
) -> None:
    anonymous.http.headers["Host"] = "evil.example.com"
    await anonymous.mutate_ok(REGISTER, input=registration("host@example.fr"))
    (mail,) = await OutboxMail.all()
    assert "http://testserver.local/confirm-email?token=" in mail.body
    assert "evil" not in mail.body
