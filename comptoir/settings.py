"""Configuration, read once from environment variables (Heroku/Procfile conventions)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, get_type_hints

from realtime.doorbell import Doorbell
from resolvers.policy import Policy, Tunables
from resolvers.storage import FileStore, LocalDiskStore
from resolvers.throttle import DEFAULT_RATE_LIMITS, RateLimit


class Secret(str):
    """A string that never shows itself in logs or reprs."""

    def __repr__(self) -> str:
        return "Secret('**********')"


def _flag(raw: str) -> bool:
    return raw.strip().lower() not in ("0", "false", "no", "off")


# How a COMPTOIR_<NAME> variable becomes the value of a field of that type.
_PARSERS: dict[object, Callable[[str], object]] = {
    int: int,
    float: float,
    Decimal: Decimal,
    bool: _flag,
}


def _origins(raw: str) -> tuple[str, ...]:
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


@dataclass(frozen=True, kw_only=True)
class Settings(Tunables):
    """The rules' values (`Tunables`, whose defaults they keep unless COMPTOIR_<NAME> is set),
    and the wiring's own; a number or flag field with a default is read the same way."""

    database_url: str
    redis_url: str | None
    smtp_url: Secret | None
    port: int
    web_concurrency: int
    allowed_origins: tuple[str, ...]
    var_dir: Path
    introspection: bool = True
    graphiql: bool
    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 50_000
    max_fields: int = 300
    document_cache_bytes: int = 32 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024
    ws_init_timeout_seconds: float = 10
    ws_max_subscriptions: int = 20
    ws_max_message_bytes: int = 64 * 1024
    ws_queue_size: int = 100
    ws_compression: bool = False
    jobs_interval_seconds: float = 30
    catch_up_interval_seconds: float = 2
    log_level: str
    jobs_in_web: bool
    trusted_proxies: tuple[str, ...]
    embedded: bool
    apq_cache_bytes: int = 8 * 1024 * 1024
    http_cache_max_age: int = 30
    http_cache_stale_seconds: int = 60
    log_format: str
    metrics: bool
    metrics_token: Secret | None

    def policy(self, *, doorbell: Doorbell) -> Policy:
        """The rules' settings, as resolvers receive them, with the doorbell their changes ring
        (the broadcast of the app, worker or command that hands this policy down)."""
        tuned = {f.name: getattr(self, f.name) for f in fields(Tunables)}
        return Policy(doorbell=doorbell, **tuned)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        var_dir = Path(env.get("COMPTOIR_VAR_DIR", "var")).resolve()
        default_db = f"sqlite://{var_dir / 'comptoir.sqlite3'}"
        database_url = env.get("DATABASE_URL") or default_db
        redis_url = env.get("REDIS_URL") or None
        embedded = database_url.startswith("sqlite") and redis_url is None
        port = int(env.get("PORT") or 8000)
        market = (env.get("COMPTOIR_MARKET") or Tunables.market).upper()
        # Variables that are not COMPTOIR_<NAME> of a number or flag, or whose default
        # depends on another setting.
        named: dict[str, Any] = {
            "database_url": database_url,
            "redis_url": redis_url,
            "smtp_url": Secret(env["SMTP_URL"]) if env.get("SMTP_URL") else None,
            "public_url": (env.get("PUBLIC_URL") or f"http://localhost:{port}").rstrip("/"),
            "port": port,
            "web_concurrency": int(env.get("WEB_CONCURRENCY") or 1),
            "allowed_origins": _origins(env.get("ALLOWED_ORIGINS", "")),
            "var_dir": var_dir,
            "market": market,
            "time_zone": env.get("COMPTOIR_TIME_ZONE") or MARKET_TIME_ZONES.get(market, "UTC"),
            "graphiql": _flag(env.get("COMPTOIR_GRAPHIQL") or str(redis_url is None)),
            "log_level": env.get("COMPTOIR_LOG_LEVEL", "INFO").upper(),
            "jobs_in_web": _flag(env.get("COMPTOIR_JOBS_IN_WEB") or str(embedded)),
            "embedded": embedded,
            "secret_key": Secret(env.get("COMPTOIR_SECRET_KEY") or _kept_secret(var_dir)),
            "log_format": "json"
            if env.get("COMPTOIR_LOG_FORMAT", "").lower() == "json"
            else "text",
            "metrics": _flag(env.get("COMPTOIR_METRICS") or str(embedded)),
            "metrics_token": Secret(env["COMPTOIR_METRICS_TOKEN"])
            if env.get("COMPTOIR_METRICS_TOKEN")
            else None,
            "rate_limits": _rate_limits(env),
            "trusted_proxies": _origins(env.get("COMPTOIR_TRUSTED_PROXIES", "")),
        }
        return cls(**(_numbers_and_flags(cls, env) | named))


def _numbers_and_flags(cls: type[Settings], env: Mapping[str, str]) -> dict[str, Any]:
    """Each number or flag field set by a non-empty COMPTOIR_<NAME>; the others keep the
    default their class states."""
    types = get_type_hints(cls)
    found: dict[str, Any] = {}
    for f in fields(cls):
        raw = env.get(f"COMPTOIR_{f.name.upper()}")
        parse = _PARSERS.get(types[f.name])
        if raw and parse is not None:
            found[f.name] = parse(raw)
    return found


def _rate_limits(env: Mapping[str, str]) -> dict[str, RateLimit]:
    """The per-client rate limits; none at all with COMPTOIR_RATE_LIMITS=0."""
    if not _flag(env.get("COMPTOIR_RATE_LIMITS") or "1"):
        return {}
    return {
        rule: RateLimit.parse(env[f"COMPTOIR_RATE_LIMIT_{rule.upper()}"])
        if env.get(f"COMPTOIR_RATE_LIMIT_{rule.upper()}")
        else default
        for rule, default in DEFAULT_RATE_LIMITS.items()
    }


def _kept_secret(var_dir: Path) -> str:
    """The secret generated on first start and kept under var/ (embedded default): links
    signed before a restart stay valid. Production sets COMPTOIR_SECRET_KEY, shared by every
    process and host."""
    path = var_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    var_dir.mkdir(parents=True, exist_ok=True)
    # Written aside then linked into place: of two processes starting at once, one key wins
    # and neither ever reads a half-written file.
    tmp = var_dir / f".secret_key.{os.getpid()}"
    tmp.write_text(secrets.token_urlsafe(48))
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()


def file_store(settings: Settings) -> FileStore:
    """Where uploaded photos are kept: the local disk under var/ (an object store would be
    chosen here from its own variables)."""
    return LocalDiskStore(settings.var_dir / "uploads")


# The market decides the business calendar (holidays) and the clock the SLA is counted in.
MARKET_TIME_ZONES = {
    "FR": "Europe/Paris",
    "BE": "Europe/Brussels",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "NL": "Europe/Amsterdam",
}
