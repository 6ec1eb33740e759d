"""`/metrics`: what Prometheus scrapes, who may scrape it, and what the figures follow."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from comptoir.app import create_app
from comptoir.jobs import run_once
from comptoir.metrics import MAX_OPERATION_NAMES, Metrics
from comptoir.settings import Settings
from models.mail import OutboxMail
from resolvers.policy import Policy
from tests.clients import GraphQLClient
from tests.live_helpers import ORDER_EVENTS, transport_ws


async def _samples(http: httpx.AsyncClient, **headers: str) -> dict[tuple[str, str], float]:
    """{(sample name, labels as sorted JSON): value} of one scrape."""
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, json.dumps(s.labels, sort_keys=True)): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def _value(samples: dict[tuple[str, str], float], name: str, **labels: str) -> float:
    return samples.get((name, json.dumps(labels, sort_keys=True)), 0.0)


async def test_requests_are_counted_by_operation_type_and_outcome_with_their_latency(
    http: httpx.AsyncClient, anonymous: GraphQLClient
) -> None:
    before = await _samples(http)
    await anonymous.query("query Vitrine { products(first: 1) { edges { cursor } } }")
    await anonymous.execute("query MesCommandes { orders(first: 1) { edges { cursor } } }")
    await http.get("/graphql", params={"query": "mutation Sneaky { logout { errors { code } } }"})
    await http.post(
        "/graphql",
        json={
            "extensions": {
                "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(b"?").hexdigest()}
            }
        },
    )
    after = await _samples(http)

    def delta(operation: str, kind: str, outcome: str) -> float:
        name = "comptoir_graphql_requests_total"
        labels = {"operation": operation, "type": kind, "outcome": outcome}
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("Vitrine", "query", "ok") == 1
    assert delta("MesCommandes", "query", "unauthenticated") == 1
    assert delta("anonymous", "query", "bad_request") == 1  # refused: a mutation by GET
    assert delta("anonymous", "query", "persisted_query_not_found") == 1
    latency = "comptoir_graphql_request_duration_seconds_count"
    assert (
        _value(after, latency, operation="Vitrine", type="query")
        - _value(before, latency, operation="Vitrine", type="query")
        == 1
    )


async def test_invented_operation_names_cannot_grow_the_scrape_without_bound() -> None:
    metrics = Metrics()
    labels = {metrics.operation(f"Op{i}") for i in range(MAX_OPERATION_NAMES + 50)}
    assert len(labels) == MAX_OPERATION_NAMES + 1
    assert "other" in labels
    assert metrics.operation("Op1") == "Op1"  # a name already seen keeps its label
    assert metrics.operation("no spaces { allowed") == "other"


async def test_the_outbox_backlog_and_its_oldest_due_mail_are_reported(
    http: httpx.AsyncClient,
) -> None:
    now = datetime.now(UTC)
    await OutboxMail.create(
        recipient="a@example.fr", subject="s", body="b", next_attempt_at=now - timedelta(minutes=10)
    )
    await OutboxMail.create(
        recipient="b@example.fr", subject="s", body="b", next_attempt_at=now - timedelta(minutes=1)
    )
    await OutboxMail.create(
        recipient="c@example.fr",
        subject="s",
        body="b",
        next_attempt_at=now - timedelta(hours=2),
        sent_at=now,
    )
    samples = await _samples(http)
    assert _value(samples, "comptoir_outbox_unsent_mails") == 2
    assert 600 <= _value(samples, "comptoir_outbox_oldest_due_seconds") < 700
    assert _value(samples, "comptoir_event_log_lag_events") == 0


async def test_open_sockets_and_running_subscriptions_are_gauged(
    http: httpx.AsyncClient, live_server: str, buyer: GraphQLClient
) -> None:
    idle = await _samples(http)
    async with transport_ws(live_server, buyer.token) as client:
        await client.subscribe("1", ORDER_EVENTS)
        await client.subscribe("2", "query { me { email } }")
        busy = await _samples(http)
        while _value(busy, "comptoir_subscriptions") - _value(idle, "comptoir_subscriptions") < 1:
            busy = await _samples(http)  # the subscription starts just after its message
    after = await _samples(http)
    for name in ("comptoir_websocket_connections", "comptoir_subscriptions"):
        assert _value(busy, name) - _value(idle, name) == 1, name
    while _value(after, "comptoir_websocket_connections") != _value(
        idle, "comptoir_websocket_connections"
    ):
        after = await _samples(http)  # the server sees the close a moment later
    assert _value(after, "comptoir_subscriptions") == _value(idle, "comptoir_subscriptions")


async def test_job_rounds_are_counted_per_job(app: Starlette, policy: Policy) -> None:
    metrics = Metrics()
    settings = Settings.from_env()
    await run_once(settings, policy=policy, metrics=metrics)
    await run_once(settings, policy=policy, metrics=metrics)
    rounds = {
        s.labels["job"]: s.value
        for family in metrics.registry.collect()
        for s in family.samples
        if s.name == "comptoir_job_rounds_total"
    }
    assert rounds
    assert set(rounds.values()) == {2.0}
    failures = [
        s
        for family in metrics.registry.collect()
        for s in family.samples
        if s.name == "comptoir_job_failures_total"
    ]
    assert failures == []


async def _scrape(env: dict[str, str], **headers: str) -> httpx.Response:
    """A scrape of a second app with other settings (it uses the session app's database)."""
    app = create_app(Settings.from_env({**os.environ, **env}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    ) as http:
        return await http.get("/metrics", headers=headers)


async def test_a_configured_token_is_required_to_scrape(app: Starlette) -> None:
    env = {"COMPTOIR_METRICS": "1", "COMPTOIR_METRICS_TOKEN": "scrape-me"}
    assert (await _scrape(env)).status_code == 401
    assert (await _scrape(env, Authorization="Bearer scrape-mf")).status_code == 401
    allowed = await _scrape(env, Authorization="Bearer scrape-me")
    assert allowed.status_code == 200
    assert "comptoir_outbox_unsent_mails" in allowed.text


async def test_metrics_can_be_turned_off(app: Starlette) -> None:
    assert (await _scrape({"COMPTOIR_METRICS": "0"})).status_code == 404


def test_metrics_are_on_in_the_embedded_default_and_off_in_production() -> None:
    assert Settings.from_env({"DATABASE_URL": "sqlite:///tmp/x.sqlite3"}).metrics
    production = Settings.from_env(
        {"DATABASE_URL": "postgres://u:p@db/comptoir", "REDIS_URL": "redis://redis:6379/0"}
    )
    assert not production.metrics
