"""Database wiring: Tortoise configuration from DATABASE_URL, opening and closing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url

from models import MODEL_MODULES

APP_LABEL = "models"
# Committed migration files live beside the models they build.
MIGRATIONS_MODULE = "models.migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """Tortoise's config dict for a DATABASE_URL, with our SQLite client swapped in."""
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    connection = expand_db_url(url)
    if connection["engine"] == "tortoise.backends.sqlite":
        connection["engine"] = "comptoir.sqlite_backend"
        Path(connection["credentials"]["file_path"]).parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": list(MODEL_MODULES),
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres() -> bool:
    dialect: str = connections.get("default").capabilities.dialect
    return dialect == "postgres"


async def open_database(database_url: str) -> None:
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


@asynccontextmanager
async def database(database_url: str) -> AsyncIterator[None]:
    await open_database(database_url)
    try:
        yield
    finally:
        await close_database()


async def apply_migrations() -> None:
    """Apply the committed migrations not yet applied, on the open default connection."""
    from tortoise.migrations.executor import MigrationExecutor

    apps = tortoise_config("sqlite://:memory:")["apps"]
    await MigrationExecutor(connections.get("default"), apps).migrate()


async def migrate_database(database_url: str) -> None:
    """What `comptoir migrate` runs."""
    async with database(database_url):
        await apply_migrations()


async def pending_model_changes(database_url: str) -> list[str]:
    """Names of the migrations the models would need beyond the committed ones (empty = in step)."""
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = tortoise_config(database_url)
    await Tortoise.init(config=config)
    try:
        writers = await MigrationAutodetector(Tortoise.apps, config["apps"]).changes()
    finally:
        await Tortoise.close_connections()
    return [w.name for w in writers]


async def make_migrations(database_url: str) -> None:
    """Write migration files for model changes (developers run `comptoir makemigrations`)."""
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = tortoise_config(database_url)
    await Tortoise.init(config=config)
    try:
        writers = await MigrationAutodetector(Tortoise.apps, config["apps"]).changes()
    finally:
        await Tortoise.close_connections()
    for writer in writers:
        print(f"created {writer.write()}")
    if not writers:
        print("no changes")
