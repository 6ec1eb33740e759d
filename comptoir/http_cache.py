"""HTTP caching of GraphQL reads: what a browser, proxy or CDN in front may keep.

An anonymous query sent by GET (with a persisted-query hash its URL stays short) answers the
same bytes to everyone, so it is `public` for a short while, with an `ETag` that turns a
revalidation into a `304` without a body. Anything else — a bearer token (even an invalid
one), POST, a mutation, an error such as `PersistedQueryNotFound` that the client is about to
repair — is `private, no-store`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

NO_STORE = "private, no-store"


def _matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


@dataclass(frozen=True)
class CachePolicy:
    max_age: int
    stale_while_revalidate: int

    @property
    def public(self) -> str:
        return (
            f"public, max-age={self.max_age}, stale-while-revalidate={self.stale_while_revalidate}"
        )

    def apply(self, request: Request, response: Response, *, succeeded: bool) -> Response:
        """The response with its caching headers, or a 304 when the client's copy is current.
        `succeeded`: every operation of the request ran without a top-level error."""
        shared = (
            request.method == "GET"
            and "authorization" not in request.headers
            and succeeded
            and response.status_code == 200
            and self.max_age > 0
        )
        if not shared:
            response.headers["Cache-Control"] = NO_STORE
            return response
        etag = f'"{hashlib.sha256(response.body).hexdigest()[:32]}"'
        headers = {
            "Cache-Control": self.public,
            "ETag": etag,
            # A cache must not hand this anonymous answer to a request carrying a token.
            "Vary": "Authorization",
        }
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
        return response
