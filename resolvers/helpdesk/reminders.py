"""The SLA job: a seller is mailed once when a thread's reply deadline has passed."""

from __future__ import annotations

from datetime import datetime

from comptoir.settings import get_settings
from models.accounts import Seller
from models.helpdesk import Thread
from realtime.log import atomic
from resolvers.helpdesk import sla
from resolvers.mail import enqueue_mail

BATCH = 100


async def _remind(thread: Thread) -> bool:
    """Claim and mail one reminder; of two job runners racing, one wins the conditional update."""
    async with atomic():
        claimed = await Thread.filter(
            id=thread.id, overdue_reminded=False, response_due_at=thread.response_due_at
        ).update(overdue_reminded=True)
        if claimed != 1:
            return False
        seller = await Seller.get(id=thread.seller_id).select_related("account")
        hours = f"{get_settings().sla_business_hours:g}"
        await enqueue_mail(
            to=seller.account.email,
            subject=f"Réponse en retard : {thread.subject}",
            body=(
                f"Bonjour,\n\nUn acheteur attend votre réponse au sujet de « {thread.subject} » "
                f"depuis plus de {hours} heures ouvrées.\nLes vendeurs répondent à toutes les "
                "demandes dans ce délai ; un retard répété pèse sur votre taux de réponse.\n\n"
                f"{get_settings().public_url}\n\nL'équipe Comptoir\n"
            ),
        )
    return True


async def remind_overdue_threads(*, now: datetime | None = None) -> int:
    """Mail each seller whose thread just went past its deadline; returns how many were sent."""
    due = await (
        Thread.filter(response_due_at__lt=sla.utc_now(now), overdue_reminded=False,
                      seller_id__isnull=False)
        .order_by("response_due_at")
        .limit(BATCH)
    )
    return sum([await _remind(thread) for thread in due])
