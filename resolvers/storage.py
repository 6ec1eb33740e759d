"""Where uploaded files' bytes live: a small interface, the local disk as embedded default.

An object store (S3 and the like) replaces `LocalDiskStore` in production by implementing the
same three methods; the wiring builds one store per app and hands it down.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Protocol


class FileStore(Protocol):
    async def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key` (keys are never reused)."""

    async def get(self, key: str) -> bytes | None:
        """The bytes under `key`, None when there are none."""

    async def delete(self, key: str) -> None:
        """Forget `key`; a missing key is not an error."""


class LocalDiskStore:
    """Files under one directory (embedded default: var/uploads)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key.isalnum():  # keys are ours (hex), never a client's path
            raise ValueError(f"bad storage key {key!r}")
        return self.root / key[:2] / key

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a reader never sees half a file.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)

    def _read(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, key, data)

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._read, key)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)
