"""POST /uploads cost: decoding and re-encoding phone photos, beside a trivial query.

A buyer uploads JPEGs of a phone camera's size (12 MP, with EXIF and GPS) and of a small
one (1 MP), one at a time and then 8 at once; the same buyer's `{ me { id } }` is the
baseline measured in the same run, alone and while photos are being re-encoded. In
process, through the whole ASGI app: one web worker.

    python bench/uploads.py [--count 20]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _photo(width: int, height: int) -> bytes:
    """A noisy (hard to compress, like a real photo) JPEG carrying EXIF with a GPS position."""
    from PIL import Image

    image = Image.effect_noise((width, height), 60).convert("RGB")
    exif = Image.Exif()
    exif[0x0110] = "Bench Cam"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


async def _timed(count: int, concurrency: int, call: Any) -> tuple[float, list[float]]:
    latencies: list[float] = []

    async def one() -> None:
        started = time.perf_counter()
        await call()
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    for _ in range(0, count, concurrency):
        await asyncio.gather(*(one() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def _line(name: str, wall: float, latencies: list[float], baseline: float) -> str:
    p50 = statistics.median(latencies) * 1000
    return (
        f"{name:<26} {len(latencies):>4} req  {len(latencies) / wall:7.1f} req/s  "
        f"p50 {p50:8.1f} ms  ({p50 / baseline:6.1f} x the trivial query)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=16)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="comptoir-bench-"))
    url = f"sqlite://{tmp / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "COMPTOIR_VAR_DIR": str(tmp / "var"),
            "COMPTOIR_LOG_LEVEL": "WARNING",
            "COMPTOIR_ARGON2_TIME_COST": "1",
            "COMPTOIR_ARGON2_MEMORY_KIB": "1024",
            "COMPTOIR_ARGON2_PARALLELISM": "1",
        }
    )
    os.environ.pop("REDIS_URL", None)
    from datetime import UTC, datetime

    import httpx

    from comptoir.app import create_app
    from comptoir.db import migrate_database
    from comptoir.settings import Settings
    from models.accounts import Account, Role
    from resolvers.passwords import hash_password
    from resolvers.sessions import open_session

    await migrate_database(url)
    app = create_app(Settings.from_env())
    policy = app.state.policy
    big, small = _photo(4000, 3000), _photo(1200, 900)
    async with app.router.lifespan_context(app):
        account = await Account.create(
            email="buyer@bench.fr",
            role=Role.BUYER,
            password_hash=hash_password("bench password", policy=policy),
            first_name="B",
            last_name="B",
            email_confirmed_at=datetime.now(UTC),
        )
        auth = {"Authorization": f"Bearer {await open_session(account, policy=policy)}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=120
        ) as http:

            async def me() -> None:
                response = await http.post(
                    "/graphql", json={"query": "{ me { id } }"}, headers=auth
                )
                assert response.status_code == 200, response.text

            def upload(data: bytes) -> Any:
                async def call() -> None:
                    response = await http.post(
                        "/uploads", content=data, headers={**auth, "Content-Type": "image/jpeg"}
                    )
                    assert response.status_code == 201, response.text

                return call

            await me()
            base_wall, base = await _timed(args.count * 4, 1, me)
            baseline = statistics.median(base) * 1000
            print(f"12 MP photo {len(big) / 1e6:.1f} MB, 1 MP photo {len(small) / 1e6:.2f} MB")
            print(_line("me (baseline)", base_wall, base, baseline))
            for name, data, concurrency in (
                ("upload 1 MP, one at a time", small, 1),
                ("upload 12 MP, one at a time", big, 1),
                ("upload 12 MP, 8 at once", big, 8),
            ):
                wall, latencies = await _timed(args.count, concurrency, upload(data))
                print(_line(name, wall, latencies, baseline))
            # The image work runs in threads: the event loop keeps answering meanwhile.
            busy = asyncio.gather(*(upload(big)() for _ in range(4)))
            meanwhile_wall, meanwhile = await _timed(args.count, 1, me)
            await busy
            print(_line("me during 4 12 MP uploads", meanwhile_wall, meanwhile, baseline))


if __name__ == "__main__":
    asyncio.run(main())
