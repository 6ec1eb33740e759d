"""What a well-formed request or WebSocket frame looks like, checked before Strawberry reads it.

Strawberry indexes frames as dicts: `[1,2]`, `null`, an object as `id` or a number as `query`
raised inside its handler and dropped the socket (1006) with a traceback. graphql-transport-ws
says such frames close the socket with 4400; the legacy protocol answers with an error.
"""

from __future__ import annotations

import json
from typing import Any, Final

from starlette.responses import JSONResponse

# Marks text that is not JSON at all (or JSON Python cannot hold: 1,000 levels of nesting, an
# integer of 4,301 digits, invalid UTF-8), so that every caller treats it like any other
# malformed value instead of catching four kinds of exception.
UNREADABLE: Final = object()

# Ids are echoed in close reasons, which WebSocket caps at 123 bytes.
MAX_OPERATION_ID = 64
_CLOSE_REASON_BYTES = 123
_TRANSPORT_TYPES = frozenset({"connection_init", "ping", "pong", "subscribe", "complete"})
_LEGACY_TYPES = frozenset({"connection_init", "connection_terminate", "start", "stop"})


def decode(data: str | bytes) -> object:
    """The JSON value of `data`, or UNREADABLE."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return UNREADABLE


def request_error(status: int, message: str) -> JSONResponse:
    """A refused HTTP request, as GraphQL over HTTP shapes it: JSON errors, no data."""
    code = "NOT_FOUND" if status == 404 else "INVALID_INPUT"
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status
    )


def close_reason(reason: str) -> str:
    """The reason cut to what a close frame can carry (longer ones fail the close itself)."""
    encoded = reason.encode("utf-8", "replace")
    if len(encoded) <= _CLOSE_REASON_BYTES:
        return reason
    return encoded[:_CLOSE_REASON_BYTES].decode("utf-8", "ignore")


def _operation_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_OPERATION_ID


def operation_problem(payload: object) -> str | None:
    """What is wrong with a subscribe/start payload, or None."""
    if not isinstance(payload, dict):
        return "The payload must be an object"
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        return "The query must be a non-empty string"
    if not isinstance(payload.get("variables"), (dict, type(None))):
        return "The variables must be an object"
    if not isinstance(payload.get("operationName"), (str, type(None))):
        return "The operationName must be a string"
    if not isinstance(payload.get("extensions"), (dict, type(None))):
        return "The extensions must be an object"
    return None


def transport_problem(message: object) -> str | None:
    """Why a graphql-transport-ws frame breaks the protocol (the socket closes with 4400)."""
    if not isinstance(message, dict):
        return "Messages must be JSON objects"
    kind = message.get("type")
    if kind not in _TRANSPORT_TYPES:
        return "Unknown message type"
    if kind in ("subscribe", "complete") and not _operation_id(message.get("id")):
        return "Invalid operation id"
    if kind == "subscribe":
        return operation_problem(message.get("payload"))
    if not isinstance(message.get("payload"), (dict, type(None))):
        return "The payload must be an object"
    return None


def legacy_problem(message: object) -> dict[str, Any] | None:
    """The answer to a graphql-ws frame that breaks the protocol, or None when it is sound.

    A frame without a usable id gets `connection_error`; a start whose payload is wrong gets an
    `error` for its id, as subscriptions-transport-ws answers them.
    """
    if not isinstance(message, dict) or message.get("type") not in _LEGACY_TYPES:
        return {"type": "connection_error", "payload": {"message": "Unknown or malformed message"}}
    kind = message["type"]
    if kind in ("start", "stop") and not _operation_id(message.get("id")):
        return {"type": "connection_error", "payload": {"message": "Invalid operation id"}}
    if kind == "start":
        problem = operation_problem(message.get("payload"))
        if problem is not None:
            return {"type": "error", "id": message["id"], "payload": {"message": problem}}
    return None
