"""The mails a seller gets about its threads.  Links come from PUBLIC_URL, never the request."""

from __future__ import annotations

from comptoir.settings import get_settings
from models.accounts import Seller
from models.helpdesk import Thread
from resolvers.mail import enqueue_mail


async def _mail_seller(thread: Thread, *, subject: str, text: str) -> None:
    """Queue a mail to the thread's seller, inside the caller's transaction."""
    seller = await Seller.get(id=thread.seller_id).select_related("account")
    if seller.account.deleted_at is not None:  # an erased account keeps no address to write to
        return
    await enqueue_mail(
        to=seller.account.email,
        subject=f"{subject} : {thread.subject}",
        body=f"Bonjour,\n\n{text}\n\n{get_settings().public_url}\n\nL'équipe Comptoir\n",
    )


def _hours() -> str:
    return f"{get_settings().sla_business_hours:g}"


async def new_thread_mail(thread: Thread) -> None:
    """A buyer has written; the reply is due within the SLA (seed 004)."""
    await _mail_seller(
        thread,
        subject="Nouvelle conversation",
        text=(
            f"Un acheteur vous a écrit au sujet de « {thread.subject} ».\n"
            "Merci de lui répondre depuis votre espace vendeur, dans la messagerie de la "
            f"plateforme, sous {_hours()} heures ouvrées (hors week-ends et jours fériés)."
        ),
    )


async def overdue_mail(thread: Thread) -> None:
    """The thread's reply deadline has passed."""
    await _mail_seller(
        thread,
        subject="Réponse en retard",
        text=(
            f"Un acheteur attend votre réponse au sujet de « {thread.subject} » "
            f"depuis plus de {_hours()} heures ouvrées.\nLes vendeurs répondent à toutes les "
            "demandes dans ce délai ; un retard répété pèse sur votre taux de réponse."
        ),
    )
