"""Prometheus metrics at `/metrics` (prometheus-client, text format).

Counted as they happen: GraphQL requests by operation name, type and outcome with their
latency, open WebSockets and subscriptions, background job rounds and failures. Read from the
database at scrape time: the event log's lag behind delivery and the mail outbox's backlog.

Several uvicorn workers: `comptoir serve` points PROMETHEUS_MULTIPROC_DIR at a fresh directory
(`var/metrics`) before starting them, so whichever worker answers a scrape reports the sum over
all of them (prometheus-client's multi-process mode). The database figures are the same from
every worker; the delivery lag is that of the worker that answered.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from resolvers.mail import mail_backlog

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# Operation names come from clients: past this many distinct ones, the rest share "other", so
# that a client inventing names cannot grow the scrape (and Prometheus) without bound.
MAX_OPERATION_NAMES = 200
CODE = re.compile(r"[A-Z_]{1,40}")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


@dataclass(frozen=True)
class Operation:
    """What a request ran, as the metrics and the logs name it."""

    name: str | None
    kind: str  # query, mutation, subscription
    outcome: str  # ok, or the first error's code in lower case (bad_request: refused by HTTP)

    @classmethod
    def of(cls, document: str | None, name: str | None, errors: Sequence[Any] | None) -> Operation:
        """Fuzzy, as GraphiQL reads tab titles: a second parse of every document only for a
        label would cost more than it tells. The name defaults to the document's first."""
        kind = "query"
        if document is not None:
            wanted = re.escape(name) if name else r"[A-Za-z_]\w*"
            found = re.search(rf"\b(query|mutation|subscription)\s+({wanted})\b", document)
            if found is None and not name and not document.lstrip().startswith("{"):
                found = re.search(r"\b(query|mutation|subscription)()\b", document)
            if found is not None:
                kind, name = found.group(1), name or found.group(2) or None
        if not errors:
            return cls(name, kind, "ok")
        code = (getattr(errors[0], "extensions", None) or {}).get("code")
        outcome = code.lower() if isinstance(code, str) and CODE.fullmatch(code) else "error"
        return cls(name, kind, outcome)


class _Snapshot(Collector):
    """Figures read just before a scrape, handed to prometheus-client as they are."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


class Metrics:
    """One app's metrics; `exposition` renders them, with the database figures, for a scrape."""

    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self.registry = CollectorRegistry()
        self._names: set[str] = set()
        self.requests = Counter(
            "comptoir_graphql_requests",
            "GraphQL operations over HTTP, by name and outcome",
            ["operation", "type", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "comptoir_graphql_request_duration_seconds",
            "Time to answer a GraphQL request",
            ["operation", "type"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.websockets = Gauge(
            "comptoir_websocket_connections",
            "Open GraphQL WebSockets",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.subscriptions = Gauge(
            "comptoir_subscriptions",
            "Running subscriptions",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.job_rounds = Counter(
            "comptoir_job_rounds", "Rounds of each background job", ["job"], registry=self.registry
        )
        self.job_failures = Counter(
            "comptoir_job_failures", "Rounds that raised, by job", ["job"], registry=self.registry
        )

    def close(self) -> None:
        """At a worker's exit: its live gauges leave the sum (its counters stay counted)."""
        if self.multiprocess:
            mark_process_dead(os.getpid())

    def operation(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if name in self._names:
            return name
        if not NAME.fullmatch(name) or len(self._names) >= MAX_OPERATION_NAMES:
            return "other"
        self._names.add(name)
        return name

    def observe(self, operation: Operation, seconds: float) -> None:
        label = self.operation(operation.name)
        self.requests.labels(label, operation.kind, operation.outcome).inc()
        self.latency.labels(label, operation.kind).observe(seconds)

    def job_round(self, job: str, *, failed: bool) -> None:
        self.job_rounds.labels(job).inc()
        if failed:
            self.job_failures.labels(job).inc()

    async def exposition(
        self, delivery: Callable[[], Awaitable[dict[str, object]]] | None
    ) -> bytes:
        """The text format: counters of every process, then figures read now."""
        families: list[Metric] = []
        backlog = await mail_backlog()
        families.append(
            GaugeMetricFamily(
                "comptoir_outbox_unsent_mails",
                "Mails in the outbox not sent yet",
                value=backlog.unsent,
            )
        )
        families.append(
            GaugeMetricFamily(
                "comptoir_outbox_oldest_due_seconds",
                "How long the oldest unsent mail has been due",
                value=backlog.oldest_due_seconds,
            )
        )
        if delivery is not None:
            status = await delivery()
            for key, name, text in (
                (
                    "lag_events",
                    "comptoir_event_log_lag_events",
                    "Logged events not yet offered to this process's subscribers",
                ),
                (
                    "lag_seconds",
                    "comptoir_event_log_lag_seconds",
                    "Age of the oldest logged event not yet offered to them",
                ),
            ):
                value = status.get(key)
                if isinstance(value, int | float):
                    families.append(GaugeMetricFamily(name, text, value=float(value)))
        scrape = CollectorRegistry()
        if self.multiprocess:
            MultiProcessCollector(scrape)
        else:
            scrape.register(_ProcessCollector(self.registry))
        scrape.register(_Snapshot(families))
        return generate_latest(scrape)


class _ProcessCollector(Collector):
    """This process's own registry, inside the scrape's."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


def metrics_endpoint(
    metrics: Metrics,
    *,
    token: str | None,
    delivery: Callable[[], Callable[[], Awaitable[dict[str, object]]] | None],
) -> Callable[[Request], Awaitable[Response]]:
    """`GET /metrics`, behind `Authorization: Bearer <token>` when a token is configured."""

    async def endpoint(request: Request) -> Response:
        if token is not None:
            sent = request.headers.get("authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                return Response(
                    "Unauthorized",
                    status_code=401,
                    media_type="text/plain",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        body = await metrics.exposition(delivery())
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return endpoint
