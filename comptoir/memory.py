"""Giving memory back to the system after a wave of WebSocket connections closes.

CPython returns freed objects to its own pools and glibc keeps freed heap pages: after 10,000
sockets closed, the worker's RSS stayed where it peaked. `malloc_trim(0)` hands the free pages
back (glibc only; elsewhere this does nothing). It walks the heap, so it runs once per wave of
closes, coalesced, not per socket.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
from collections.abc import Callable

log = logging.getLogger("comptoir.memory")

# A wave: this many sockets closed since the last trim, or every socket closed.
WAVE = 500
COALESCE_SECONDS = 1.0


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None
    return trim


class MemoryReturn:
    def __init__(self) -> None:
        self.open = 0
        self.closed_since_trim = 0
        self.scheduled: asyncio.TimerHandle | None = None
        self.trim = _malloc_trim()
        self.trims = 0

    def opened(self) -> None:
        self.open += 1

    def closed(self) -> None:
        self.open -= 1
        self.closed_since_trim += 1
        if self.trim is None or self.scheduled is not None:
            return
        if self.closed_since_trim >= WAVE or (self.open == 0 and self.closed_since_trim > 0):
            self.scheduled = asyncio.get_running_loop().call_later(COALESCE_SECONDS, self._run)

    def _run(self) -> None:
        self.scheduled = None
        self.closed_since_trim = 0
        gc.collect()  # cycles left by the closed sockets' tasks and frames
        assert self.trim is not None
        self.trim(0)
        self.trims += 1
