"""deadlineEvents when the alert job runs in other processes than the subscribers' web process,
on a SQLite file and on PostgreSQL, the doorbells through a real Redis.

Every round of the job runs in two processes at once (and each overdue seller is mailed one
reminder); the subscribers (each seller, an admin)
are connected to a uvicorn process whose periodic catch-up is an hour away, so what reaches
them in time came through the doorbell. Durations are tiny (COMPTOIR_SLA_BUSINESS_HOURS=0.002,
i.e. 7.2 s, AT_RISK 3.6 s before); the instants are explicit (see deadline_world).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.helpdesk_helpers import paris
from tests.integration.deadline_world import GAP_SECONDS
from tests.integration.live_cluster import (
    ROOT,
    Worker,
    postgres_database,
    single_pass,
    worker_env,
    world,
)
from tests.integration.live_redis import Redis
from tests.live_helpers import DEADLINE_EVENTS, TransportWS, transport_ws

SLA_HOURS, AT_RISK_HOURS = 0.002, 0.001
# A Tuesday without holiday: business time runs through the whole test.
OPENED = paris(2026, 3, 10, 10).astimezone(UTC)


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    single_pass()
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'deadlines.sqlite3'}"
        return
    async with postgres_database() as url:
        yield url


class AlertJobs:
    """Two long-lived processes running the alert job, one round each at the instant given."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: list[asyncio.subprocess.Process] = []

    async def __aenter__(self) -> AlertJobs:
        for _ in range(2):
            self.processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "tests.integration.deadline_world",
                    "alerts",
                    cwd=ROOT,
                    env=self.env,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                )
            )
        return self

    async def __aexit__(self, *_: object) -> None:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.close()
            await asyncio.wait_for(process.wait(), 30)

    async def round(self, now: datetime) -> int:
        """One round at `now` in both processes at once; the alerts raised."""
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(f"{now.isoformat()}\n".encode())
        answers = await asyncio.gather(
            *(asyncio.wait_for(p.stdout.readline(), 60) for p in self.processes if p.stdout)
        )
        raised = [json.loads(answer) for answer in answers]
        assert all(isinstance(n, int) for n in raised), raised
        return sum(raised)


async def reminded(database_url: str) -> list[str]:
    """The recipients of the late-reply reminders in the outbox, read beside the processes."""
    sql = (
        "SELECT recipient FROM outbox_mail WHERE subject LIKE 'Réponse en retard%' "
        "ORDER BY recipient"
    )
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        with contextlib.closing(sqlite3.connect(path)) as db:
            return [recipient for (recipient,) in db.execute(sql)]
    conn = await asyncpg.connect(database_url)
    try:
        return [row["recipient"] for row in await conn.fetch(sql)]
    finally:
        await conn.close()


def _seen(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(event["kind"], event["thread"]["id"]) for event in events]


async def test_each_alert_raised_by_another_process_reaches_the_right_party_once_in_order(
    database_url: str,
) -> None:
    redis = Redis()
    redis.start()
    try:
        env = {
            **worker_env(database_url, redis.url),
            "COMPTOIR_SLA_BUSINESS_HOURS": str(SLA_HOURS),
            "COMPTOIR_AT_RISK_HOURS": str(AT_RISK_HOURS),
        }
        made = await world(env, "setup", OPENED.isoformat(), module="deadline_world")
        web = Worker({**env, "COMPTOIR_CATCH_UP_INTERVAL_SECONDS": "3600"})
        await web.start()
        try:
            async with AlertJobs(env) as jobs:
                await assert_alerts_reach_their_parties(web, jobs, made)
            # Raised by either process, each SLA_OVERDUE mailed its seller once.
            assert await reminded(database_url) == [
                "other_seller@example.fr",
                "seller@example.fr",
            ]
        finally:
            web.stop()
    finally:
        redis.kill()


async def assert_alerts_reach_their_parties(
    web: Worker, jobs: AlertJobs, made: dict[str, Any]
) -> None:
    before = timedelta(hours=SLA_HOURS - AT_RISK_HOURS)
    due = timedelta(hours=SLA_HOURS)
    async with (
        transport_ws(web.address, made["seller"]) as shop,
        transport_ws(web.address, made["other_seller"]) as other_shop,
        transport_ws(web.address, made["admin"]) as platform,
    ):
        clients: dict[str, TransportWS] = {
            "seller": shop,
            "other_seller": other_shop,
            "admin": platform,
        }
        # `after` from the start: a ring that beats the subscription is replayed, not lost.
        for client in clients.values():
            await client.subscribe("d", DEADLINE_EVENTS, after="0")
        # The two sellers' alerts interleave: AT_RISK, AT_RISK, OVERDUE, OVERDUE.
        rounds = sorted(
            (OPENED + timedelta(seconds=GAP_SECONDS * n) + offset, kind, party)
            for n, party in enumerate(("seller", "other_seller"))
            for offset, kind in ((before, "SLA_AT_RISK"), (due, "SLA_OVERDUE"))
        )
        pushed: list[dict[str, Any]] = []
        for moment, kind, party in rounds:
            assert await jobs.round(moment) == 1  # two processes, one alert
            (event,) = await clients[party].pushed(1, timeout=20)
            (seen,) = await platform.pushed(1, timeout=20)
            assert event == seen
            assert _seen([event]) == [(kind, made[f"{party}_thread"])]
            opened = OPENED + timedelta(seconds=GAP_SECONDS * (party == "other_seller"))
            assert datetime.fromisoformat(event["dueAt"]) == opened + due
            other = clients["other_seller" if party == "seller" else "seller"]
            assert await other.silent(0.3)
            pushed.append(event)
        ids = [int(event["id"]) for event in pushed]
        assert ids == sorted(ids)
        for client in clients.values():
            assert await client.silent(0.5)

    # What was pushed is the log, whole: a replay from the start gives the same four alerts.
    async with transport_ws(web.address, made["admin"]) as replay:
        await replay.subscribe("r", DEADLINE_EVENTS, after="0")
        assert await replay.pushed(4, timeout=20) == pushed
        assert await replay.silent(0.3)
