"""`/metrics` with two uvicorn workers (`comptoir serve`, WEB_CONCURRENCY=2): whichever worker
answers a scrape reports the requests both served (prometheus-client's multi-process mode)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.live_cluster import embedded_server

BATCH = 20


def _served(text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "comptoir_graphql_requests_total"
        and sample.labels["operation"] == "Compte"
    )


async def test_every_worker_answers_a_scrape_with_the_sum_of_all_workers(tmp_path: Path) -> None:
    async with embedded_server(tmp_path, WEB_CONCURRENCY="2") as server:
        base = f"http://{server.address}"

        # Separate connections, so that the kernel hands them to both workers.
        async def one() -> None:
            async with httpx.AsyncClient() as http:
                response = await http.post(
                    f"{base}/graphql", json={"query": "query Compte { __typename }"}
                )
                assert response.status_code == 200

        sent = 0
        deadline = time.monotonic() + 30
        # Until both workers have served some (each counts in a file named by its pid).
        while len(list((tmp_path / "metrics").glob("counter_*.db"))) < 2:
            assert time.monotonic() < deadline, "one worker took every connection"
            await asyncio.gather(*(one() for _ in range(BATCH)))
            sent += BATCH
        scrapes = []
        for _ in range(6):
            async with httpx.AsyncClient() as http:
                scrapes.append(_served((await http.get(f"{base}/metrics")).text))
    assert scrapes == [sent] * 6
