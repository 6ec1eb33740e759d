"""What outside clients and operators rely on: the printed SDL, migrations, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from comptoir.app import printed_schema
from comptoir.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_graphql_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    current = printed_schema(Settings.from_env({}))
    assert committed == current, (
        "schema.graphql is stale: run `comptoir print-schema > schema.graphql`"
    )


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
        "COMPTOIR_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-m", "comptoir.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_models_and_committed_migrations_are_in_step(tmp_path: Path) -> None:
    migrated = _cli(tmp_path, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    code = (
        "import asyncio, sys; from comptoir.db import pending_model_changes;"
        f"print(asyncio.run(pending_model_changes('sqlite://{tmp_path / 'check.sqlite3'}')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", f"models changed without a migration: {out.stdout}"


def test_create_admin_makes_a_confirmed_admin_and_exits_zero(tmp_path: Path) -> None:
    assert _cli(tmp_path, "migrate").returncode == 0
    done = _cli(
        tmp_path, "create-admin", "Root@Example.fr", "--password", "a long admin passphrase"
    )
    assert done.returncode == 0, done.stderr
    code = (
        "import asyncio; from comptoir.db import database; from models.accounts import Account\n"
        "async def main():\n"
        f"    async with database('sqlite://{tmp_path / 'cli.sqlite3'}'):\n"
        "        a = await Account.get(email='root@example.fr')\n"
        "        print(a.role, a.email_confirmed_at is not None)\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.split() == ["ADMIN", "True"], out.stderr


def test_create_admin_refuses_a_taken_email_with_a_nonzero_exit(tmp_path: Path) -> None:
    assert _cli(tmp_path, "migrate").returncode == 0
    assert (
        _cli(
            tmp_path, "create-admin", "a@example.fr", "--password", "a long admin passphrase"
        ).returncode
        == 0
    )
    again = _cli(tmp_path, "create-admin", "A@example.fr", "--password", "another passphrase!")
    assert again.returncode != 0


@pytest.mark.parametrize("products", [25])
def test_seed_demo_loads_demo_accounts_and_extra_products(tmp_path: Path, products: int) -> None:
    assert _cli(tmp_path, "migrate").returncode == 0
    seeded = _cli(tmp_path, "seed-demo", "--products", str(products))
    assert seeded.returncode == 0, seeded.stderr
    code = (
        "import asyncio; from comptoir.db import database; from models.accounts import Account\n"
        "from models.catalog import Product\n"
        "async def main():\n"
        f"    async with database('sqlite://{tmp_path / 'cli.sqlite3'}'):\n"
        "        print(await Account.filter(email__endswith='@demo.comptoir.fr').count(),"
        " await Product.all().count())\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    accounts, count = (int(x) for x in out.stdout.split())
    assert accounts >= 3
    assert count >= products + 10
