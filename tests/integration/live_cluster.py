"""Real processes for the live tests: a redis-server, uvicorn workers, PostgreSQL.

Outside CI a missing PostgreSQL (COMPTOIR_TEST_POSTGRES_URL) or redis-server skips these tests
with the reason; under CI=true it fails them. They start processes of their own, whatever
database the suite runs on, so they run in one CI pass only: the SQLite one.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"live integration needs it under CI: {reason}")
    pytest.skip(reason)


def single_pass() -> None:
    """Skip in the PostgreSQL pass of the suite: these processes already ran in the SQLite one."""
    if os.environ.get("COMPTOIR_TEST_DATABASE_URL"):
        pytest.skip("multi-process live tests run in the SQLite pass of the suite only")


def _postgres_server() -> str:
    url = os.environ.get("COMPTOIR_TEST_POSTGRES_URL")
    if not url:
        unavailable(
            "COMPTOIR_TEST_POSTGRES_URL is not set (a PostgreSQL URL for the "
            "multi-process live tests)"
        )
        raise AssertionError("unreachable")
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _admin(server: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(server + "/postgres", timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        unavailable(f"PostgreSQL unreachable at {server}: {error}")
        raise


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A database of this run's own on COMPTOIR_TEST_POSTGRES_URL's server, dropped after.

    Its own, because the suite's PostgreSQL pass may use the database that URL names, and
    several people may run the suite at once on one server.
    """
    server = _postgres_server()
    name = f"comptoir_live_{os.getpid()}"
    conn = await _admin(server)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield f"{server}/{name}"
    finally:
        conn = await _admin(server)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def worker_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PUBLIC_URL": "http://testserver.local",
        "COMPTOIR_CATCH_UP_INTERVAL_SECONDS": "0.5",
        "COMPTOIR_ARGON2_TIME_COST": "1",
        "COMPTOIR_ARGON2_MEMORY_KIB": "1024",
        "COMPTOIR_ARGON2_PARALLELISM": "1",
        "COMPTOIR_JOBS_IN_WEB": "0",
        "COMPTOIR_LOG_LEVEL": "WARNING",
        "COMPTOIR_VAR_DIR": str(ROOT / "var" / "live-tests"),
        "PYTHONPATH": str(ROOT),
    }


def embedded_env(var_dir: Path) -> dict[str, str]:
    """`comptoir serve`'s embedded default (SQLite under var_dir, no Redis, jobs in-process)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("REDIS_URL", "COMPTOIR_JOBS_IN_WEB", "WEB_CONCURRENCY")
    }
    return {
        **env,
        "DATABASE_URL": f"sqlite://{var_dir / 'comptoir.sqlite3'}",
        "COMPTOIR_VAR_DIR": str(var_dir),
        "PUBLIC_URL": "http://testserver.local",
        "COMPTOIR_ORDER_EXPIRY_BUSINESS_DAYS": "1",
        "COMPTOIR_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


DEMO_BUYER, DEMO_SELLER = "acheteur@demo.comptoir.fr", "vendeur@demo.comptoir.fr"


@asynccontextmanager
async def embedded_server(
    var_dir: Path, log: Path | None = None, **extra_env: str
) -> AsyncIterator[Worker]:
    """`comptoir serve` in its embedded default (demo data), ready; stopped after."""
    single_pass()
    server = Worker({**embedded_env(var_dir), **extra_env}, ["comptoir.cli", "serve"], log)
    try:
        await server.start()
        yield server
    finally:
        server.stop()


async def ring_through_api(server: Worker) -> None:
    """Have `server` commit an event through its API (a session of the demo seller logs out):
    its doorbell wakes the server's own jobs that follow the log, as any user's change would
    after a change made by hand, which rings nothing."""
    token = await world(server.env, "session", DEMO_SELLER)
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"http://{server.address}/graphql",
            json={"query": "mutation { logout { errors { code } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.json()["data"]["logout"]["errors"] == [], answer.text


class Worker:
    """A web process: `uvicorn comptoir.asgi:app` unless `command` says otherwise."""

    def __init__(
        self, env: dict[str, str], command: list[str] | None = None, log: Path | None = None
    ) -> None:
        self.port = free_port()
        self.env = env
        self.command = command or ["uvicorn", "comptoir.asgi:app", "--log-level", "warning"]
        self.process: subprocess.Popen[bytes] | None = None
        self.log = log  # where its stderr goes (else the test's)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _spawn(self) -> None:
        stderr = self.log.open("ab") if self.log else None
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    *self.command,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                cwd=ROOT,
                env=self.env,
                stderr=stderr,
            )
        finally:
            if stderr is not None:
                stderr.close()  # the child has its own copy

    def kill(self) -> int:
        """SIGKILL: no shutdown, no last words; returns the exit status."""
        assert self.process is not None
        self.process.kill()
        status = self.process.wait()
        self.process = None
        return status

    async def start(self) -> None:
        self._spawn()
        # A ceiling, not a wait: a worker is ready in ~2 s, but a machine shared with other
        # suites once needed more than 30 s to import and migrate.
        deadline = time.monotonic() + 120
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                assert self.process is not None
                if (status := self.process.poll()) is not None:
                    raise RuntimeError(f"worker on {self.port} exited with {status} before ready")
                try:
                    if (await http.get(f"http://{self.address}/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"worker on {self.port} did not become ready")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    async def graphql(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"http://{self.address}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
        body: dict[str, Any] = response.json()
        assert not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data

    async def readyz(self) -> tuple[int, dict[str, Any]]:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"http://{self.address}/readyz")
        return response.status_code, response.json()


@asynccontextmanager
async def jobs_worker(env: dict[str, str]) -> AsyncIterator[None]:
    """`comptoir worker` (the background jobs) as its own process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "comptoir.cli", "worker", cwd=ROOT, env=env
    )
    try:
        yield
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def world(env: dict[str, str], *args: str, module: str = "live_world") -> Any:
    """Run tests.integration.`module` in its own process and decode its JSON answer."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"tests.integration.{module}",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    return json.loads(out) if out.strip() else process.returncode


async def log_ids(database_url: str, thread_id: int, after: int = 0) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT id FROM event WHERE kind = 'MESSAGE' AND thread_id = $1 "
            "AND id > $2 ORDER BY id",
            thread_id,
            after,
        )
    finally:
        await conn.close()
    return [str(row["id"]) for row in rows]


async def order_event_ids(database_url: str, order_id: int) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT id FROM event WHERE kind = 'ORDER_STATUS' AND order_id = $1 ORDER BY id",
            order_id,
        )
    finally:
        await conn.close()
    return [str(row["id"]) for row in rows]
