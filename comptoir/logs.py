"""Logging: plain text by default, one JSON object per line with `COMPTOIR_LOG_FORMAT=json`.

Every line logged while a request is served carries its request id (the client's
`X-Request-ID` when it is a sane one, else a new one, echoed in the response), the GraphQL
operation's name and the actor's account id. Never in a line: bearer tokens, passwords, signed
link signatures, or GraphQL documents (an error's excerpt of the document would show the
literal arguments, passwords included); message bodies are never logged by the code.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
SECRETS = (
    (re.compile(r"(?i)\b(bearer)\s+[^\s\"',]+"), r"\1 [redacted]"),
    (
        re.compile(r"(?i)\b(token|password|signature|secret)(\"?\s*[=:]\s*\"?)[^\s\"'&,}]+"),
        r"\1\2[redacted]",
    ),
)


@dataclass
class RequestLog:
    """What a line logged while serving this request says about it."""

    request_id: str
    operation: str | None = None
    actor_id: int | None = None


# Per request (asyncio task): logging has no other way to know which request a line is for.
CURRENT: ContextVar[RequestLog | None] = ContextVar("comptoir_request", default=None)


def scrub(text: str) -> str:
    """The text without secrets, and without the GraphQL document excerpt of an error."""
    text = text.split("\n\nGraphQL request:", 1)[0]
    for pattern, replacement in SECRETS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        current = CURRENT.get()
        if current is not None:
            line["request_id"] = current.request_id
            line["operation"] = current.operation
            line["actor_id"] = current.actor_id
        if record.exc_info:
            line["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter(TEXT_FORMAT)


def configure(level: str, log_format: str) -> None:
    """The root logger's one handler (stderr), in the chosen format."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def uvicorn_log_config(level: str, log_format: str) -> dict[str, Any]:
    """uvicorn's loggers (access lines included) through the same formatter."""
    factory = (
        "comptoir.logs.JsonFormatter" if log_format == "json" else "comptoir.logs.TextFormatter"
    )
    spec: dict[str, Any] = {"()": factory}
    if log_format != "json":
        spec["fmt"] = TEXT_FORMAT
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": spec},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            name: {"handlers": ["default"], "level": level.upper(), "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


class RequestIds:
    """Gives each HTTP request and WebSocket connection its id, for the logs and the client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        token = CURRENT.set(RequestLog(request_id))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            CURRENT.reset(token)
