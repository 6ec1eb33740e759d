"""The reference JavaScript clients (npm `graphql-ws`, `subscriptions-transport-ws`) against
the server: replay after a position, then live, over each sub-protocol."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.clients import GraphQLClient
from tests.live_helpers import order_status, seller_of

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def node_clients_ready() -> None:
    """Install the npm packages when missing; skip outside CI when node/npm are absent."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node and npm are required under CI")
        pytest.skip("node/npm not installed: the JavaScript client test cannot run")
    if not (NODE_DIR / "node_modules").is_dir():
        command = "ci" if (NODE_DIR / "package-lock.json").exists() else "install"
        subprocess.run(
            [npm, command, "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            check=True,
            timeout=300,
            capture_output=True,
        )


async def test_javascript_clients_replay_then_receive_live_events_on_both_protocols(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    node_clients_ready()
    shop = await seller_of(seller.account_id)
    old = [await order_status(buyer_id=buyer.account_id, seller_id=shop) for _ in range(3)]
    process = await asyncio.create_subprocess_exec(
        "node",
        "live_clients.mjs",
        f"ws://{live_server}/graphql",
        buyer.token or "",
        str(old[0]),
        "3",
        cwd=NODE_DIR,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    await asyncio.sleep(1.5)  # both clients have replayed 2 events and wait live
    live = await order_status(buyer_id=buyer.account_id, seller_id=shop)
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    result = json.loads(out)
    expected = [str(i) for i in (*old[1:], live)]
    assert result["graphql-transport-ws"] == expected
    assert result["graphql-ws"] == expected
    assert result["refusedCloseCode"] == 4403
