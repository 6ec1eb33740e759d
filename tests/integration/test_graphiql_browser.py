"""GraphiQL in a real browser (Debian's headless Chromium) against `comptoir serve`, with no
name resolving but 127.0.0.1: the page renders, runs a query, and a subscription started in
it receives an order event. COMPTOIR_SCREENSHOT=1 rewrites docs/graphiql.png."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from urllib.parse import urlencode

import httpx

from comptoir.graphiql import EXAMPLES
from tests.browser import Chromium
from tests.integration.live_cluster import (
    DEMO_BUYER,
    DEMO_SELLER,
    ROOT,
    embedded_server,
    ring_through_api,
    world,
)

PRODUCTS = "{ products(first: 3) { edges { node { name } } } }"
EDITOR = "document.querySelector('{} .CodeMirror').CodeMirror"
QUERY_EDITOR, RESPONSE = (
    EDITOR.format(".graphiql-query-editor"),
    EDITOR.format(".graphiql-response"),
)
HEADERS_EDITOR = EDITOR.format(".graphiql-editor-tool .graphiql-editor:last-child")


def _last_event_id(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM event").fetchone()[0])


async def _run(page: Chromium, query: str, headers: str, title: str) -> None:
    """In a new tab, type the operation and headers, then press run once GraphiQL has parsed
    them (the tab takes the operation's name): it picks HTTP or WebSocket from the parse."""
    tabs = await page.evaluate("document.querySelectorAll('.graphiql-tab').length")
    await page.evaluate("document.querySelector('.graphiql-tab-add').click()")
    await page.wait_for(f"document.querySelectorAll('.graphiql-tab').length > {tabs}")
    await page.evaluate(f"{QUERY_EDITOR}.setValue({json.dumps(query)})")
    await page.evaluate(f"{HEADERS_EDITOR}.setValue({json.dumps(headers)})")
    await page.wait_for(
        f"document.querySelector('.graphiql-tab-active').textContent.includes({json.dumps(title)})"
    )
    await page.evaluate("document.querySelector('.graphiql-execute-button').click()")


async def test_graphiql_runs_a_query_and_a_subscription_from_its_own_files(tmp_path: Path) -> None:
    async with embedded_server(tmp_path) as server:
        origin = f"http://{server.address}"
        async with httpx.AsyncClient() as http:
            expected = (await http.post(f"{origin}/graphql", json={"query": PRODUCTS})).json()
        made = await world(server.env, "order", DEMO_BUYER, DEMO_SELLER)
        async with Chromium() as page:
            await page.goto(f"{origin}/")
            assert await page.evaluate("location.pathname") == "/graphql"
            await page.wait_for(
                f"{QUERY_EDITOR} && "
                f"document.querySelectorAll('.graphiql-tab').length === {len(EXAMPLES)}"
            )

            # A shared link (?q=) opens on its operation, ahead of the README's examples.
            await page.goto(f"{origin}/graphql?{urlencode({'q': PRODUCTS})}")
            await page.wait_for(
                f"{QUERY_EDITOR}.getValue() === {json.dumps(PRODUCTS)} && "
                f"document.querySelectorAll('.graphiql-tab').length === {len(EXAMPLES) + 1}"
            )
            await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
            shown = await page.wait_for(
                f"{RESPONSE}.getValue().includes('edges') && {RESPONSE}.getValue()"
            )
            assert json.loads(shown) == expected
            assert len(expected["data"]["products"]["edges"]) == 3
            if os.environ.get("COMPTOIR_SCREENSHOT") == "1":
                (ROOT / "docs" / "graphiql.png").write_bytes(await page.screenshot())

            # `after` replays what the page might miss while its socket opens: no sleep needed.
            after = _last_event_id(tmp_path / "comptoir.sqlite3")
            await _run(
                page,
                f'subscription Suivi {{ orderEvents(after: "{after}") '
                "{ id from to order { number } } }",
                json.dumps({"Authorization": f"Bearer {made['buyer']}"}),
                "Suivi",
            )
            # The server's expiry job, woken by its next event, expires the order.
            await world(server.env, "backdate", str(made["order_id"]), "30")
            await ring_through_api(server)
            shown = await page.wait_for(
                f"{RESPONSE}.getValue().includes('EXPIRED') && {RESPONSE}.getValue()"
            )
            event = json.loads(shown)["data"]["orderEvents"]
            assert (event["from"], event["to"]) == ("PENDING", "EXPIRED")
            assert int(event["id"]) > after

            assert await page.evaluate("window.__violations") == []
            assert page.errors == []
            outside = [
                url
                for url in page.requests
                if not url.startswith((origin, f"ws://{server.address}", "data:"))
            ]
            assert outside == []
