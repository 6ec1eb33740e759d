"""Signed, expiring links to private files (claim photos, invoice PDFs).

A link names the kind of file, its id and an expiry, and carries an HMAC-SHA256 of the three
under the server's secret: whoever holds the link may read the file until it expires, and a
changed id, kind or expiry no longer verifies. `GET /files/{kind}/{id}` serves them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from resolvers.policy import Policy


def _signature(secret: str, kind: str, object_id: int, expires: int) -> str:
    message = f"{kind}:{object_id}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_url(*, policy: Policy, kind: str, object_id: int, now: datetime | None = None) -> str:
    """An absolute link to file `kind`/`object_id`, valid `policy.document_link_minutes`."""
    now = now or datetime.now(UTC)
    expires = int((now + timedelta(minutes=policy.document_link_minutes)).timestamp())
    query = urlencode(
        {"expires": expires, "signature": _signature(policy.secret_key, kind, object_id, expires)}
    )
    return policy.link(f"files/{kind}/{object_id}?{query}")


def verify_link(
    *,
    policy: Policy,
    kind: str,
    object_id: int,
    expires: str,
    signature: str,
    now: datetime | None = None,
) -> bool:
    """True when the link was signed by this server and has not expired."""
    if not expires.isdigit() or len(expires) > 12:
        return False
    expected = _signature(policy.secret_key, kind, object_id, int(expires))
    if not hmac.compare_digest(expected, signature):
        return False
    return int(expires) > (now or datetime.now(UTC)).timestamp()


@dataclass(frozen=True)
class StoredFile:
    """What a signed link serves."""

    content: bytes
    content_type: str
    filename: str


# Reads one kind of file by id (None: no such file). The wiring maps each kind to its reader.
FileReader = Callable[[int], Awaitable[StoredFile | None]]
