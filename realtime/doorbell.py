"""The doorbells: after a commit, tell every process that there is something to read.

Two channels: `CHANNEL` says "the event log has grown up to id N" (the hub reads it), and
`MAIL_CHANNEL` says "mail was queued" (the jobs runner's mail sender wakes up). Losing a ring
only delays the work: readers also catch up from the database periodically and after a
broadcast reconnection.

Each app has its own `Doorbell`, rung through its own broadcast while that broadcast is
connected (`realtime.broadcast`); its resolvers receive it in their `Policy`, so two apps in
one process never ring each other's rooms.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

CHANNEL = "comptoir.events"
MAIL_CHANNEL = "comptoir.mail"

# Publishes `message` on `channel` (the broadcast's publish).
Publisher = Callable[[str, str], Awaitable[None]]


class Doorbell:
    """Rings one broadcast; silent while that broadcast is not connected (nobody listens)."""

    def __init__(self) -> None:
        self._publisher: Publisher | None = None

    def connect(self, publisher: Publisher | None) -> None:
        """Ring through `publisher` from now on (None: the broadcast closed, fall silent)."""
        self._publisher = publisher

    async def ring(self, event_id: int) -> None:
        """The event log has grown up to `event_id`."""
        await self._publish(CHANNEL, str(event_id))

    async def ring_mail(self) -> None:
        """Mail was queued."""
        await self._publish(MAIL_CHANNEL, "mail")

    async def _publish(self, channel: str, message: str) -> None:
        if self._publisher is None:
            return
        try:
            await self._publisher(channel, message)
        except Exception:  # the commit stands; the periodic catch-up does the work later
            log.warning(
                "doorbell %s (%s) not delivered; catch-up will pick it up",
                channel,
                message,
                exc_info=True,
            )
