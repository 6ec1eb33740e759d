"""Schema set-up and per-test cleaning, on SQLite or PostgreSQL."""

from __future__ import annotations

from tortoise import Tortoise, connections

from comptoir.db import apply_migrations


async def migrate_fresh() -> None:
    """Drop everything and build the schema with the committed migrations, as production does."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await apply_migrations()


def _tables() -> list[str]:
    apps = Tortoise.apps
    return [model._meta.db_table for app in apps.values() for model in app.values()]


async def truncate_all() -> None:
    conn = connections.get("default")
    tables = _tables()
    if conn.capabilities.dialect == "postgres":
        quoted = ", ".join(f'"{t}"' for t in tables)
        await conn.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        return
    script = ["PRAGMA foreign_keys = OFF;"]
    script += [f'DELETE FROM "{t}";' for t in tables]
    script += ["DELETE FROM sqlite_sequence;", "PRAGMA foreign_keys = ON;"]
    await conn.execute_script("\n".join(script))
