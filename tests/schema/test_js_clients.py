"""Apollo Client and urql, as frontends use them, against the server: a query through
automatic persisted queries by GET (first a miss, then a hit by hash only), a mutation, and
a subscription receiving the event that mutation pushed (tests/node/tool_clients.mjs)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from starlette.applications import Starlette

from realtime.log import last_event_id
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import make_order
from tests.realtime.test_live_node import NODE_DIR, node_clients_ready

PUBLIC = "public, max-age=30, stale-while-revalidate=60"


def _assert_persisted_round_trip(exchanges: list[dict[str, Any]]) -> None:
    """Catalogue: hash only by GET → miss; the document with its hash; hash only → hit."""
    catalog = [e for e in exchanges if e["operation"] == "Catalogue"]
    assert len(catalog) == 3, catalog
    miss, register, hit = catalog
    assert (miss["method"], miss["hash"], miss["document"], miss["miss"]) == (
        "GET",
        True,
        False,
        True,
    )
    assert miss["cacheControl"] == "private, no-store"
    assert (register["hash"], register["document"], register["miss"]) == (True, True, False)
    assert (hit["method"], hit["hash"], hit["document"], hit["miss"]) == ("GET", True, False, False)
    assert hit["cacheControl"] == PUBLIC  # anonymous: an HTTP cache may keep it
    mutation = [e for e in exchanges if e["operation"] == "Annuler"]
    assert mutation
    assert all(e["method"] == "POST" and e["cacheControl"] == "private, no-store" for e in mutation)


async def test_apollo_and_urql_query_mutate_and_subscribe_with_persisted_queries(
    app: Starlette,
    live_server: str,
    http: httpx.AsyncClient,
    buyer: GraphQLClient,
    seller: GraphQLClient,
) -> None:
    node_clients_ready()
    await make_product(seller, name="Niveau à bulle 60 cm")
    await make_product(seller, name="Mètre ruban 5 m")
    orders = [await make_order(buyer, seller, number=f"CMD-2026-00000{n}") for n in (1, 2)]
    after = await last_event_id()
    process = await asyncio.create_subprocess_exec(
        "node",
        "tool_clients.mjs",
        f"http://{live_server}/graphql",
        f"ws://{live_server}/graphql",
        buyer.token or "",
        str(after),
        *(encode_id("Order", order.id) for order in orders),
        cwd=NODE_DIR,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    result = json.loads(out)
    for library in ("apollo", "urql"):
        seen = result[library]
        assert seen["products"] == [["Mètre ruban 5 m", "Niveau à bulle 60 cm"]] * 2, library
        assert seen["cancelled"]["errors"] == [], library  # Apollo adds __typename
        assert seen["cancelled"]["order"]["status"] == "CANCELLED", library
        assert seen["event"]["to"] == "CANCELLED", library
        assert int(seen["event"]["id"]) > after
        _assert_persisted_round_trip(seen["exchanges"])
    assert result["apollo"]["event"]["id"] != result["urql"]["event"]["id"]
