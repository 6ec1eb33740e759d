"""The product's rules that configuration can tune, handed to resolvers by the caller, with
the doorbell their changes ring.

`Tunables` states each rule's default once: `comptoir.settings.Settings` reads them from the
environment over these defaults and builds the app's `Policy` once; the GraphQL context and the
jobs runner pass it down as the `policy` keyword argument. Resolvers never read the
environment, and announce what they log or queue on `policy.doorbell`, the caller's broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from realtime.doorbell import Doorbell
from resolvers.calendar import BusinessCalendar
from resolvers.throttle import DEFAULT_RATE_LIMITS, RateLimit


@dataclass(frozen=True, kw_only=True)
class Tunables:
    """The rules' values and their defaults; COMPTOIR_<NAME> changes one (comptoir/settings)."""

    public_url: str = "http://localhost:8000"
    market: str = "FR"
    time_zone: str = "Europe/Paris"
    lockout_minutes: float = 15
    lockout_attempts: int = 5
    reset_token_minutes: float = 60
    confirm_token_days: float = 7
    invitation_days: float = 7
    session_days: float = 30
    cart_days: float = 3
    order_expiry_business_days: float = 3
    sla_business_hours: float = 24
    # Seed 004: deadline alerts warn this many business hours before a deadline.
    at_risk_hours: float = 4
    # Seed 003: "une offre personnalisée dans les 48 heures".
    quote_response_business_hours: float = 48
    small_order_threshold: Decimal = Decimal("100.00")
    small_order_fee: Decimal = Decimal("5.00")
    idempotency_hours: float = 48
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # Signs links to private files (resolvers/links.py); the wiring always sets a real one.
    secret_key: str = field(default="insecure-test-key", repr=False)
    document_link_minutes: float = 15
    # Percent, prices include it: products without a rate of their own and the small-order fee.
    default_vat_rate: Decimal = Decimal("20.00")
    # Seed 003: buyers find their invoices "jusqu'à 12 mois en arrière".
    invoice_history_months: int = 12
    upload_max_bytes: int = 10 * 1024 * 1024
    # Decoded size bound (decompression bombs): 40 megapixels covers any phone camera.
    upload_max_pixels: int = 40_000_000
    upload_unattached_hours: float = 24
    claim_business_days: float = 3
    withdrawal_days: float = 30
    refund_business_days: float = 3
    claim_max_photos: int = 10
    # First pause before retrying a mail the server did not take; it doubles, capped at 1 h.
    mail_retry_seconds: float = 30
    account_mails_per_hour: int = 5
    # Per-client rate limits by rule name; empty when COMPTOIR_RATE_LIMITS=0.
    rate_limits: dict[str, RateLimit] = field(
        default_factory=lambda: dict(DEFAULT_RATE_LIMITS), compare=False
    )


@dataclass(frozen=True, kw_only=True)
class Policy(Tunables):
    # Rings the app's broadcast after each commit. No default: a caller whose changes nobody
    # needs to hear of (a rule test, a script) says so by passing a `Doorbell()` of its own.
    doorbell: Doorbell = field(repr=False, compare=False)
    calendar: BusinessCalendar = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Built once: the calendar caches each year's holidays.
        object.__setattr__(self, "calendar", BusinessCalendar(self.market, self.time_zone))

    def business_hours_after(self, start: datetime, hours: float) -> datetime:
        """`hours` of business time (24 h per business day) after `start`, in UTC."""
        return self.calendar.add_business_time(start, timedelta(hours=hours))

    def business_hours_before(self, end: datetime, hours: float) -> datetime:
        """The latest instant `hours` of business time before `end`, in UTC."""
        return self.calendar.subtract_business_time(end, timedelta(hours=hours))

    def business_days_after(self, start: datetime, days: float) -> datetime:
        """The end of the `days`-th business day after `start` (see the calendar)."""
        return self.calendar.end_of_business_days(start, days)

    def link(self, path: str) -> str:
        """An absolute link under PUBLIC_URL (never the request's Host header)."""
        return f"{self.public_url}/{path.lstrip('/')}"
