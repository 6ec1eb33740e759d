"""Configuration, read once from environment variables (Heroku/Procfile conventions)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from realtime.doorbell import Doorbell
from resolvers.policy import Policy
from resolvers.storage import FileStore, LocalDiskStore
from resolvers.throttle import DEFAULT_RATE_LIMITS, RateLimit


class Secret(str):
    """A string that never shows itself in logs or reprs."""

    def __repr__(self) -> str:
        return "Secret('**********')"


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    return default if raw in (None, "") else float(raw)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    return default if raw in (None, "") else int(raw)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off")


def _origins(raw: str) -> tuple[str, ...]:
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    smtp_url: Secret | None
    public_url: str
    port: int
    web_concurrency: int
    allowed_origins: tuple[str, ...]
    var_dir: Path
    market: str
    time_zone: str
    lockout_minutes: float
    lockout_attempts: int
    reset_token_minutes: float
    confirm_token_days: float
    invitation_days: float
    session_days: float
    cart_days: float
    order_expiry_business_days: float
    sla_business_hours: float
    quote_response_business_hours: float
    small_order_threshold: Decimal
    small_order_fee: Decimal
    idempotency_hours: float
    introspection: bool
    graphiql: bool
    max_depth: int
    max_aliases: int
    max_tokens: int
    max_cost: int
    max_fields: int
    document_cache_bytes: int
    max_body_bytes: int
    ws_init_timeout_seconds: float
    ws_max_subscriptions: int
    ws_max_message_bytes: int
    ws_queue_size: int
    ws_compression: bool
    argon2_time_cost: int
    argon2_memory_kib: int
    argon2_parallelism: int
    jobs_interval_seconds: float
    catch_up_interval_seconds: float
    log_level: str
    jobs_in_web: bool
    secret_key: Secret
    document_link_minutes: float
    default_vat_rate: Decimal
    invoice_history_months: int
    upload_max_bytes: int = 10 * 1024 * 1024
    upload_max_pixels: int = 40_000_000
    upload_unattached_hours: float = 24
    claim_business_days: float = 3
    withdrawal_days: float = 30
    refund_business_days: float = 3
    claim_max_photos: int = 10
    mail_retry_seconds: float = 30
    account_mails_per_hour: int = 5
    at_risk_hours: float = 4
    rate_limits: dict[str, RateLimit] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    trusted_proxies: tuple[str, ...] = ()
    embedded: bool = field(default=False)
    apq_cache_bytes: int = 8 * 1024 * 1024
    http_cache_max_age: int = 30
    http_cache_stale_seconds: int = 60
    log_format: str = "text"
    metrics: bool = False
    metrics_token: Secret | None = None

    def policy(self, *, doorbell: Doorbell) -> Policy:
        """The rules' settings, as resolvers receive them, with the doorbell their changes ring
        (the broadcast of the app, worker or command that hands this policy down)."""
        return Policy(
            doorbell=doorbell,
            public_url=self.public_url,
            market=self.market,
            time_zone=self.time_zone,
            lockout_minutes=self.lockout_minutes,
            lockout_attempts=self.lockout_attempts,
            reset_token_minutes=self.reset_token_minutes,
            confirm_token_days=self.confirm_token_days,
            invitation_days=self.invitation_days,
            session_days=self.session_days,
            cart_days=self.cart_days,
            order_expiry_business_days=self.order_expiry_business_days,
            sla_business_hours=self.sla_business_hours,
            at_risk_hours=self.at_risk_hours,
            quote_response_business_hours=self.quote_response_business_hours,
            small_order_threshold=self.small_order_threshold,
            small_order_fee=self.small_order_fee,
            idempotency_hours=self.idempotency_hours,
            argon2_time_cost=self.argon2_time_cost,
            argon2_memory_kib=self.argon2_memory_kib,
            argon2_parallelism=self.argon2_parallelism,
            secret_key=self.secret_key,
            document_link_minutes=self.document_link_minutes,
            default_vat_rate=self.default_vat_rate,
            invoice_history_months=self.invoice_history_months,
            upload_max_bytes=self.upload_max_bytes,
            upload_max_pixels=self.upload_max_pixels,
            upload_unattached_hours=self.upload_unattached_hours,
            claim_business_days=self.claim_business_days,
            withdrawal_days=self.withdrawal_days,
            refund_business_days=self.refund_business_days,
            claim_max_photos=self.claim_max_photos,
            mail_retry_seconds=self.mail_retry_seconds,
            account_mails_per_hour=self.account_mails_per_hour,
            rate_limits=self.rate_limits,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        var_dir = Path(env.get("COMPTOIR_VAR_DIR", "var")).resolve()
        default_db = f"sqlite://{var_dir / 'comptoir.sqlite3'}"
        database_url = env.get("DATABASE_URL") or default_db
        redis_url = env.get("REDIS_URL") or None
        port = _int(env, "PORT", 8000)
        public_url = (env.get("PUBLIC_URL") or f"http://localhost:{port}").rstrip("/")
        market = env.get("COMPTOIR_MARKET", "FR").upper()
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            smtp_url=Secret(env["SMTP_URL"]) if env.get("SMTP_URL") else None,
            public_url=public_url,
            port=port,
            web_concurrency=_int(env, "WEB_CONCURRENCY", 1),
            allowed_origins=_origins(env.get("ALLOWED_ORIGINS", "")),
            var_dir=var_dir,
            market=market,
            time_zone=env.get("COMPTOIR_TIME_ZONE", MARKET_TIME_ZONES.get(market, "UTC")),
            lockout_minutes=_float(env, "COMPTOIR_LOCKOUT_MINUTES", 15),
            lockout_attempts=_int(env, "COMPTOIR_LOCKOUT_ATTEMPTS", 5),
            reset_token_minutes=_float(env, "COMPTOIR_RESET_TOKEN_MINUTES", 60),
            confirm_token_days=_float(env, "COMPTOIR_CONFIRM_TOKEN_DAYS", 7),
            invitation_days=_float(env, "COMPTOIR_INVITATION_DAYS", 7),
            session_days=_float(env, "COMPTOIR_SESSION_DAYS", 30),
            cart_days=_float(env, "COMPTOIR_CART_DAYS", 3),
            order_expiry_business_days=_float(env, "COMPTOIR_ORDER_EXPIRY_BUSINESS_DAYS", 3),
            sla_business_hours=_float(env, "COMPTOIR_SLA_BUSINESS_HOURS", 24),
            at_risk_hours=_float(env, "COMPTOIR_AT_RISK_HOURS", 4),
            quote_response_business_hours=_float(env, "COMPTOIR_QUOTE_RESPONSE_BUSINESS_HOURS", 48),
            small_order_threshold=Decimal(env.get("COMPTOIR_SMALL_ORDER_THRESHOLD", "100.00")),
            small_order_fee=Decimal(env.get("COMPTOIR_SMALL_ORDER_FEE", "5.00")),
            idempotency_hours=_float(env, "COMPTOIR_IDEMPOTENCY_HOURS", 48),
            introspection=_flag(env, "COMPTOIR_INTROSPECTION", True),
            graphiql=_flag(env, "COMPTOIR_GRAPHIQL", redis_url is None),
            max_depth=_int(env, "COMPTOIR_MAX_DEPTH", 10),
            max_aliases=_int(env, "COMPTOIR_MAX_ALIASES", 30),
            max_tokens=_int(env, "COMPTOIR_MAX_TOKENS", 2000),
            max_cost=_int(env, "COMPTOIR_MAX_COST", 50_000),
            max_fields=_int(env, "COMPTOIR_MAX_FIELDS", 300),
            document_cache_bytes=_int(env, "COMPTOIR_DOCUMENT_CACHE_BYTES", 32 * 1024 * 1024),
            max_body_bytes=_int(env, "COMPTOIR_MAX_BODY_BYTES", 1024 * 1024),
            ws_init_timeout_seconds=_float(env, "COMPTOIR_WS_INIT_TIMEOUT_SECONDS", 10),
            ws_max_subscriptions=_int(env, "COMPTOIR_WS_MAX_SUBSCRIPTIONS", 20),
            ws_max_message_bytes=_int(env, "COMPTOIR_WS_MAX_MESSAGE_BYTES", 64 * 1024),
            ws_queue_size=_int(env, "COMPTOIR_WS_QUEUE_SIZE", 100),
            ws_compression=_flag(env, "COMPTOIR_WS_COMPRESSION", False),
            argon2_time_cost=_int(env, "COMPTOIR_ARGON2_TIME_COST", 3),
            argon2_memory_kib=_int(env, "COMPTOIR_ARGON2_MEMORY_KIB", 65536),
            argon2_parallelism=_int(env, "COMPTOIR_ARGON2_PARALLELISM", 4),
            jobs_interval_seconds=_float(env, "COMPTOIR_JOBS_INTERVAL_SECONDS", 30),
            catch_up_interval_seconds=_float(env, "COMPTOIR_CATCH_UP_INTERVAL_SECONDS", 2),
            log_level=env.get("COMPTOIR_LOG_LEVEL", "INFO").upper(),
            jobs_in_web=_flag(
                env, "COMPTOIR_JOBS_IN_WEB", database_url.startswith("sqlite") and redis_url is None
            ),
            embedded=database_url.startswith("sqlite") and redis_url is None,
            secret_key=Secret(env.get("COMPTOIR_SECRET_KEY") or _kept_secret(var_dir)),
            document_link_minutes=_float(env, "COMPTOIR_DOCUMENT_LINK_MINUTES", 15),
            default_vat_rate=Decimal(env.get("COMPTOIR_DEFAULT_VAT_RATE") or "20.00"),
            invoice_history_months=_int(env, "COMPTOIR_INVOICE_HISTORY_MONTHS", 12),
            upload_max_bytes=_int(env, "COMPTOIR_UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
            upload_max_pixels=_int(env, "COMPTOIR_UPLOAD_MAX_PIXELS", 40_000_000),
            upload_unattached_hours=_float(env, "COMPTOIR_UPLOAD_UNATTACHED_HOURS", 24),
            claim_business_days=_float(env, "COMPTOIR_CLAIM_BUSINESS_DAYS", 3),
            withdrawal_days=_float(env, "COMPTOIR_WITHDRAWAL_DAYS", 30),
            refund_business_days=_float(env, "COMPTOIR_REFUND_BUSINESS_DAYS", 3),
            claim_max_photos=_int(env, "COMPTOIR_CLAIM_MAX_PHOTOS", 10),
            apq_cache_bytes=_int(env, "COMPTOIR_APQ_CACHE_BYTES", 8 * 1024 * 1024),
            http_cache_max_age=_int(env, "COMPTOIR_HTTP_CACHE_MAX_AGE", 30),
            http_cache_stale_seconds=_int(env, "COMPTOIR_HTTP_CACHE_STALE_SECONDS", 60),
            log_format="json" if env.get("COMPTOIR_LOG_FORMAT", "").lower() == "json" else "text",
            metrics=_flag(
                env, "COMPTOIR_METRICS", database_url.startswith("sqlite") and redis_url is None
            ),
            metrics_token=Secret(env["COMPTOIR_METRICS_TOKEN"])
            if env.get("COMPTOIR_METRICS_TOKEN")
            else None,
            mail_retry_seconds=_float(env, "COMPTOIR_MAIL_RETRY_SECONDS", 30),
            account_mails_per_hour=_int(env, "COMPTOIR_ACCOUNT_MAILS_PER_HOUR", 5),
            rate_limits=_rate_limits(env),
            trusted_proxies=_origins(env.get("COMPTOIR_TRUSTED_PROXIES", "")),
        )


def _rate_limits(env: Mapping[str, str]) -> dict[str, RateLimit]:
    """The per-client rate limits; none at all with COMPTOIR_RATE_LIMITS=0."""
    if not _flag(env, "COMPTOIR_RATE_LIMITS", True):
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
