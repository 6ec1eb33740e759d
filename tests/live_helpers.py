"""Shared helpers for live-delivery tests: events appended directly, raw protocol clients."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
import websockets
from starlette.types import ASGIApp
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from models.accounts import Seller
from models.events import EventKind
from realtime.log import append_event, atomic
from tests.configuration import POLICY

ORDER_EVENTS = """subscription ($after: ID, $orderId: ID) {
  orderEvents(after: $after, orderId: $orderId) { id to from reason } }"""
MESSAGE_EVENTS = """subscription ($after: ID, $threadId: ID) {
  messageEvents(after: $after, threadId: $threadId) { id } }"""
DEADLINE_EVENTS = """subscription ($after: ID) {
  deadlineEvents(after: $after) { id kind dueAt thread { id } claim { id } quote { id } } }"""


@asynccontextmanager
async def uvicorn_server(application: ASGIApp, **options: Any) -> AsyncIterator[str]:
    """`application` behind a real uvicorn on 127.0.0.1; yields its host:port."""
    async with uvicorn_running(application, **options) as (_, address):
        yield address


@asynccontextmanager
async def uvicorn_running(
    application: ASGIApp, **options: Any
) -> AsyncIterator[tuple[uvicorn.Server, str]]:
    """`uvicorn_server`, also yielding the server (its open connections).

    The socket listens before uvicorn starts: clients may connect at once (the backlog holds
    them until uvicorn accepts), with no wait on a flag and no port chosen then raced for.
    """
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    config = uvicorn.Config(application, lifespan="off", log_level="warning", **options)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        yield server, f"127.0.0.1:{listening.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        listening.close()


async def seller_of(account_id: int | None) -> int:
    """The shop id of a seller account (fixtures' `account_id` is typed optional)."""
    seller = await Seller.get(account_id=account_id)
    return seller.id


async def order_status(
    *,
    buyer_id: int | None,
    seller_id: int,
    order_id: int = 1,
    company_id: int | None = None,
    to: str = "VALIDATED",
    reason: str | None = None,
) -> int:
    """Commit one ORDER_STATUS event (no order row needed: routing reads the audience)."""
    async with atomic():
        event = await append_event(
            EventKind.ORDER_STATUS,
            {
                "order_id": order_id,
                "from": "PENDING",
                "to": to,
                "reason": reason,
                "actor_role": "SELLER",
            },
            doorbell=POLICY.doorbell,
            order_id=order_id,
            buyer_id=buyer_id,
            seller_id=seller_id,
            company_id=company_id,
        )
    return int(event.id)


async def message(
    *, buyer_id: int | None, seller_id: int | None, thread_id: int = 1, message_id: int = 1
) -> int:
    async with atomic():
        event = await append_event(
            EventKind.MESSAGE,
            {"thread_id": thread_id, "message_id": message_id},
            doorbell=POLICY.doorbell,
            thread_id=thread_id,
            buyer_id=buyer_id,
            seller_id=seller_id,
        )
    return int(event.id)


class TransportWS:
    """A bare graphql-transport-ws client: what the protocol says, nothing hidden."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, timeout: float = 5.0) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        return message

    async def init(self, token: str | None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": {"token": token} if token else {}})
        return await self.receive()

    async def subscribe(self, op_id: str, query: str, **variables: Any) -> None:
        await self.send(
            {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )

    async def pushed(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The events of the next `count` `next` messages (fails on anything else)."""
        events: list[dict[str, Any]] = []
        while len(events) < count:
            message = await self.receive(timeout)
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            (field,) = message["payload"]["data"].values()
            events.append(field)
        return events

    async def next_ids(self, count: int, timeout: float = 5.0) -> list[str]:
        """The event ids of the next `count` `next` messages (fails on anything else)."""
        return [event["id"] for event in await self.pushed(count, timeout)]

    async def silent(self, seconds: float = 0.3) -> bool:
        """True when nothing arrives for `seconds`."""
        try:
            message = await asyncio.wait_for(self.ws.recv(), seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message {message!r}")


@asynccontextmanager
async def transport_ws(
    server: str,
    token: str | None = None,
    *,
    init: bool = True,
    protocol: str = "graphql-transport-ws",
) -> AsyncIterator[TransportWS]:
    async with websockets.connect(
        f"ws://{server}/graphql",
        subprotocols=[Subprotocol(protocol)],
        open_timeout=5,
    ) as ws:
        client = TransportWS(ws)
        if init:
            ack = await client.init(token)
            assert ack["type"] == "connection_ack", ack
        yield client
