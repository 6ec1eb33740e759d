"""`COMPTOIR_LOG_FORMAT=json` on a real `comptoir serve`: one JSON object per line, each
request's lines naming it, its operation and its actor, and no secret or message body."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx

from schema.ids import encode_id
from tests.integration.live_cluster import DEMO_BUYER, embedded_server, world

WRONG_PASSWORD = "Mot-de-passe-essaye-42"
TYPO_PASSWORD = "Autre-secret-dans-un-document-7"
BODY = "Corps du message tout à fait confidentiel"
SIGNATURE = "signature-qui-ne-doit-pas-sortir"


def _account_id(database: Path, email: str) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT id FROM account WHERE email = ?", (email,)).fetchone()[0])


def _product_id(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT MIN(id) FROM product").fetchone()[0])


async def test_json_lines_carry_request_operation_and_actor_but_no_secret(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    async with embedded_server(
        tmp_path, log, COMPTOIR_LOG_FORMAT="json", COMPTOIR_LOG_LEVEL="INFO"
    ) as server:
        token = await world(server.env, "session", DEMO_BUYER)
        url = f"http://{server.address}/graphql"
        product = _product_id(tmp_path / "comptoir.sqlite3")
        async with httpx.AsyncClient() as http:
            me = await http.post(
                url,
                json={"query": "query Moi { me { email } }"},
                headers={"Authorization": f"Bearer {token}", "X-Request-ID": "essai-moi-1"},
            )
            assert me.headers["x-request-id"] == "essai-moi-1"
            assert me.json()["data"]["me"]["email"] == DEMO_BUYER
            await http.post(
                url,
                json={
                    "query": "mutation Connexion { login(email: "
                    f'"{DEMO_BUYER}", password: "{WRONG_PASSWORD}") '
                    "{ errors { code } token } }"
                },
            )
            # An invalid document: Strawberry logs the error with an excerpt of the document.
            await http.post(
                url,
                json={
                    "query": 'mutation { login(email: "x@y.fr", '
                    f'password: "{TYPO_PASSWORD}") {{ tokenz }} }}'
                },
            )
            opened = await http.post(
                url,
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "query": "mutation Question($input: OpenThreadInput!) { openThread(input: "
                    "$input) { errors { code } } }",
                    "variables": {
                        "input": {"productId": encode_id("Product", product), "body": BODY}
                    },
                },
            )
            assert opened.json()["data"]["openThread"]["errors"] == []
            await http.get(
                f"http://{server.address}/files/invoice/1",
                params={"expires": "1", "signature": SIGNATURE},
            )
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)

    mine = [line for line in lines if line.get("request_id") == "essai-moi-1"]
    assert mine
    buyer_id = _account_id(tmp_path / "comptoir.sqlite3", DEMO_BUYER)
    assert any(line["operation"] == "Moi" and line["actor_id"] == buyer_id for line in mine)
    assert any(line.get("operation") == "Question" for line in lines)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert access
    assert all(line.get("request_id") for line in access)

    for secret in (token, WRONG_PASSWORD, TYPO_PASSWORD, BODY, SIGNATURE):
        assert secret not in text, secret
