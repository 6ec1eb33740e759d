"""The `comptoir` command line: serve, migrate, worker, create-admin, seed-demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

# Only the standard library at the top: uvicorn spawns each `serve` worker as a fresh
# interpreter that re-imports this module before its health-check thread starts, and its
# supervisor kills a worker that has not answered within 5 s. Importing the schema, the ORM and
# the settings here took 11 s with the two cores busy: every worker was killed and respawned
# in a loop and `serve` never served. Each command imports what it needs.
if TYPE_CHECKING:
    from comptoir.settings import Settings
    from realtime.broadcast import Channel

log = logging.getLogger("comptoir")


@contextlib.asynccontextmanager
async def _wired(settings: Settings) -> AsyncIterator[Channel]:
    """A command's database and broadcast; its changes ring that broadcast's doorbell, so
    running servers and workers hear of them (through Redis) as of any other process's."""
    from comptoir.db import database
    from realtime.broadcast import open_broadcast

    async with database(settings.database_url), open_broadcast(settings.redis_url) as channel:
        yield channel


def _metrics_across_workers(settings: Settings) -> None:
    """Several workers: prometheus-client's multi-process mode over a fresh directory, so a
    scrape answered by any worker sums them all (inherited by the workers uvicorn starts)."""
    if settings.web_concurrency <= 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    directory = settings.var_dir / "metrics"
    shutil.rmtree(directory, ignore_errors=True)  # the counts of a previous run
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


async def _prepare(settings: Settings) -> None:
    """Migrate; on an empty embedded database, load the demo data and print its accounts."""
    from comptoir.db import migrate_database

    await migrate_database(settings.database_url)
    if not settings.embedded:
        return
    from comptoir.demo import seed_demo

    async with _wired(settings) as channel:
        accounts = await seed_demo(policy=settings.policy(doorbell=channel.doorbell))
    if accounts:
        log.info("Demo data loaded. Demo accounts (development only):")
        for email, password in accounts:
            log.info("  %s / %s", email, password)


def serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from comptoir.logs import uvicorn_log_config

    asyncio.run(_prepare(settings))
    _metrics_across_workers(settings)
    log.info("GraphQL on http://%s:%s/graphql", "localhost" if host == "0.0.0.0" else host, port)
    uvicorn.run(
        "comptoir.asgi:app",
        host=host,
        port=port,
        workers=settings.web_concurrency,
        loop="uvloop",
        http="httptools",
        proxy_headers=True,
        log_level=settings.log_level.lower(),
        log_config=uvicorn_log_config(settings.log_level, settings.log_format),
        **websocket_options(settings),
    )


def websocket_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's WebSocket settings, as `serve` runs them (tests and benches use these too).

    permessage-deflate is off unless COMPTOIR_WS_COMPRESSION=1: its zlib state costs ~43 KiB
    per connection (uvicorn's 4 KiB windows, memLevel 5), for events of a few hundred bytes
    (bench/idle_memory.py measures both).
    """
    return {
        "ws": "comptoir.ws_protocol:LeanWebSocketProtocol",
        "ws_max_size": settings.ws_max_message_bytes,
        "ws_per_message_deflate": settings.ws_compression,
    }


async def _worker(settings: Settings) -> None:
    from comptoir.jobs import Deps, Runner

    # SIGTERM (a deploy, a scale-down) stops the jobs through cancellation, so a mail batch
    # in progress records what the server already took instead of sending it again later.
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, task.cancel)
    async with _wired(settings) as channel:
        policy = settings.policy(doorbell=channel.doorbell)
        runner = Runner(
            Deps.from_settings(settings, policy=policy),
            interval_seconds=settings.jobs_interval_seconds,
        )
        channel.on_reconnect(runner.reconnected)
        with contextlib.suppress(asyncio.CancelledError):
            await runner.run(channel.broadcast)


async def _create_admin(settings: Settings, email: str, password: str) -> None:
    from resolvers.accounts import create_admin

    async with _wired(settings) as channel:
        policy = settings.policy(doorbell=channel.doorbell)
        account = await create_admin(email=email, password=password, policy=policy)
    print(f"Admin account {account.email} created.")


async def _seed_demo(settings: Settings, products: int) -> None:
    from comptoir.demo import seed_demo

    async with _wired(settings) as channel:
        policy = settings.policy(doorbell=channel.doorbell)
        accounts = await seed_demo(policy=policy, extra_products=products)
    print(
        f"Demo data loaded ({products} extra products)."
        if accounts or products
        else "Demo data already present."
    )


def main(argv: Sequence[str] | None = None) -> int:
    from comptoir.logs import configure as configure_logging
    from comptoir.settings import Settings
    from schema.security import ShortQuotes

    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="comptoir", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="migrate, seed an empty embedded DB, serve")
    serve_cmd.add_argument("--host", default="0.0.0.0")
    serve_cmd.add_argument("--port", type=int, default=settings.port)
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("makemigrations", help="(developers) write a migration for model changes")
    commands.add_parser("worker", help="run the background jobs")
    commands.add_parser("print-schema", help="print the GraphQL SDL (schema.graphql)")
    admin_cmd = commands.add_parser("create-admin", help="create a confirmed ADMIN account")
    admin_cmd.add_argument("email")
    admin_cmd.add_argument("--password")
    demo_cmd = commands.add_parser("seed-demo", help="load the demo data")
    demo_cmd.add_argument(
        "--products", type=int, default=0, help="additional generated products (load tests)"
    )
    args = parser.parse_args(argv)
    configure_logging(settings.log_level, settings.log_format)
    # None of the records reaching the root handler may copy a client's 100 KB value.
    for handler in logging.getLogger().handlers:
        handler.addFilter(ShortQuotes())

    if args.command == "serve":
        serve(settings, args.host, args.port)
    elif args.command == "migrate":
        from comptoir.db import migrate_database

        asyncio.run(migrate_database(settings.database_url))
    elif args.command == "makemigrations":
        from comptoir.db import make_migrations

        asyncio.run(make_migrations(settings.database_url))
    elif args.command == "worker":
        asyncio.run(_worker(settings))
    elif args.command == "create-admin":
        password = args.password or getpass.getpass("Password: ")
        try:
            asyncio.run(_create_admin(settings, args.email, password))
        except Exception as error:  # a refusal (taken e-mail, weak password) is told plainly
            print(f"create-admin failed: {error}", file=sys.stderr)
            return 1
    elif args.command == "print-schema":
        from comptoir.app import printed_schema

        print(printed_schema(settings), end="")
    elif args.command == "seed-demo":
        asyncio.run(_seed_demo(settings, args.products))
    return 0


if __name__ == "__main__":
    sys.exit(main())
