"""The doorbell: after a commit, tell every process "the log has grown up to id N".

Losing a ring only delays delivery: readers also catch up from the log periodically and after a
broadcast reconnection.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

CHANNEL = "comptoir.events"

Ringer = Callable[[int], Awaitable[None]]
_ringer: Ringer | None = None


def install(ringer: Ringer | None) -> None:
    """Set (or clear, with None) what `ring` calls; the app's lifespan installs the broadcast."""
    global _ringer
    _ringer = ringer


async def ring(event_id: int) -> None:
    if _ringer is None:
        return
    try:
        await _ringer(event_id)
    except Exception:  # the commit stands; catch-up from the log delivers it later
        log.warning("doorbell for event %s not delivered; catch-up will pick it up", event_id,
                    exc_info=True)
