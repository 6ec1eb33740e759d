"""The mails a seller gets about its threads.  Links come from PUBLIC_URL, never the request."""

from __future__ import annotations

from models.accounts import Seller
from models.helpdesk import Thread
from resolvers.mail import enqueue_mail
from resolvers.policy import Policy


async def _mail_seller(thread: Thread, *, subject: str, text: str, policy: Policy) -> None:
    """Queue a mail to the thread's seller, inside the caller's transaction."""
    seller = await Seller.get(id=thread.seller_id).select_related("account")
    if seller.account.deleted_at is not None:  # an erased account keeps no address to write to
        return
    await enqueue_mail(
        to=seller.account.email,
        subject=f"{subject} : {thread.subject}",
        body=f"Bonjour,\n\n{text}\n\n{policy.public_url}\n\nL'équipe Comptoir\n",
        policy=policy,
    )


def _hours(policy: Policy) -> str:
    return f"{policy.sla_business_hours:g}"


async def new_thread_mail(thread: Thread, *, policy: Policy) -> None:
    """A buyer has written; the reply is due within the SLA (seed 004)."""
    await _mail_seller(
        thread,
        policy=policy,
        subject="Nouvelle conversation",
        text=(
            f"Un acheteur vous a écrit au sujet de « {thread.subject} ».\n"
            "Merci de lui répondre depuis votre espace vendeur, dans la messagerie de la "
            f"plateforme, sous {_hours(policy)} heures ouvrées (hors week-ends et jours fériés)."
        ),
    )


async def overdue_mail(thread: Thread, *, policy: Policy) -> None:
    """The thread's reply deadline has passed."""
    await _mail_seller(
        thread,
        policy=policy,
        subject="Réponse en retard",
        text=(
            f"Un acheteur attend votre réponse au sujet de « {thread.subject} » "
            f"depuis plus de {_hours(policy)} heures ouvrées.\nLes vendeurs répondent à toutes les "
            "demandes dans ce délai ; un retard répété pèse sur votre taux de réponse."
        ),
    )
