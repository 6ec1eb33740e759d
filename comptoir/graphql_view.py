"""The Strawberry ASGI view: builds the Actor per request (header) or per connection (init)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET, UnsetType

from resolvers.errors import Unauthenticated
from resolvers.sessions import actor_for_token
from schema.context import Context


def bearer_token(value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value ("" when malformed)."""
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class ComptoirGraphQL(GraphQL[Context, None]):
    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context = Context(request=request, response=response)
        if isinstance(request, WebSocket):
            return context  # authenticated in on_ws_connect, from connection_init
        token = bearer_token(request.headers.get("authorization"))
        if token is not None:
            try:
                context.actor = await actor_for_token(token)
            except Unauthenticated as error:
                context.auth_error = str(error)
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | None | dict[str, object]:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        token = params.get("token")
        if token is None:
            token = bearer_token(params.get("Authorization") or params.get("authorization"))
        if token is None:
            return UNSET  # anonymous: accepted, but every subscription answers UNAUTHENTICATED
        if not isinstance(token, str):
            raise ConnectionRejectionError({"message": "Invalid token"})
        try:
            context.actor = await actor_for_token(token)
        except Unauthenticated as error:
            raise ConnectionRejectionError({"message": str(error)}) from error
        return UNSET
