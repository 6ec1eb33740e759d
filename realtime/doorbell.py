"""The doorbells: after a commit, tell every process that there is something to read.

Two channels: `CHANNEL` says "the event log has grown up to id N" (the hub reads it), and
`MAIL_CHANNEL` says "mail was queued" (the jobs runner's mail sender wakes up). Losing a ring
only delays the work: readers also catch up from the database periodically and after a
broadcast reconnection.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

CHANNEL = "comptoir.events"
MAIL_CHANNEL = "comptoir.mail"

# Publishes `message` on `channel` (the broadcast's publish, installed by its opener).
Publisher = Callable[[str, str], Awaitable[None]]
_publisher: Publisher | None = None


def install(publisher: Publisher | None) -> Publisher | None:
    """Set (or clear, with None) what the rings publish through; returns the one it replaces
    (the broadcast's opener puts it back when it closes)."""
    global _publisher
    previous, _publisher = _publisher, publisher
    return previous


async def _publish(channel: str, message: str) -> None:
    if _publisher is None:
        return
    try:
        await _publisher(channel, message)
    except Exception:  # the commit stands; the periodic catch-up does the work later
        log.warning(
            "doorbell %s (%s) not delivered; catch-up will pick it up",
            channel,
            message,
            exc_info=True,
        )


async def ring(event_id: int) -> None:
    await _publish(CHANNEL, str(event_id))


async def ring_mail() -> None:
    await _publish(MAIL_CHANNEL, "mail")
