"""The market's business calendar: Monday–Friday minus national public holidays.

Used by the helpdesk response SLA (24 business hours) and by pending-order expiry
(business days).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

__all__ = ["BusinessCalendar"]

_SATURDAY = 5


class BusinessCalendar:
    """Business days and business-time arithmetic for one country and time zone."""

    def __init__(self, country: str = "FR", tz: str = "Europe/Paris") -> None:
        self.country = country.upper()
        self.tz = ZoneInfo(tz)
        # An unknown country code fails here rather than at the first deadline.
        holidays.country_holidays(self.country)
        self._holidays: dict[int, frozenset[date]] = {}

    def __repr__(self) -> str:
        return f"BusinessCalendar(country={self.country!r}, tz={self.tz.key!r})"

    def _holidays_of(self, year: int) -> frozenset[date]:
        cached = self._holidays.get(year)
        if cached is None:
            cached = frozenset(holidays.country_holidays(self.country, years=year).keys())
            self._holidays[year] = cached
        return cached

    def is_business_day(self, d: date) -> bool:
        """True on Monday–Friday unless it is a public holiday of the market's country."""
        return d.weekday() < _SATURDAY and d not in self._holidays_of(d.year)

    def _start_of_day(self, d: date) -> datetime:
        # zoneinfo maps a midnight that falls in a DST gap (Africa/Cairo, for one) to the
        # instant the clocks jump, which is exactly when that local day begins.
        return datetime.combine(d, time(), tzinfo=self.tz).astimezone(UTC)

    def add_business_time(self, start: datetime, delta: timedelta) -> datetime:
        """The instant (UTC) at which `delta` of business time has elapsed since `start`."""
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("start must be timezone-aware")
        if delta < timedelta(0):
            raise ValueError("delta must not be negative")
        cursor = start.astimezone(UTC)
        remaining = delta
        if not remaining:
            return cursor
        day = cursor.astimezone(self.tz).date()
        # DST rule: business time is real elapsed time while inside a business day, so a
        # 23-hour or 25-hour business day contributes 23 or 25 hours. Measuring in UTC
        # between local midnights gives exactly that.
        while True:
            day_end = self._start_of_day(day + timedelta(days=1))
            if self.is_business_day(day):
                available = day_end - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
            cursor = day_end
            day += timedelta(days=1)

    def subtract_business_time(self, end: datetime, delta: timedelta) -> datetime:
        """The latest instant (UTC) from which `delta` of business time has elapsed by `end`:
        `add_business_time` walked backwards (a weekend `end` counts from Friday's end)."""
        if end.tzinfo is None or end.utcoffset() is None:
            raise ValueError("end must be timezone-aware")
        if delta < timedelta(0):
            raise ValueError("delta must not be negative")
        cursor = end.astimezone(UTC)
        remaining = delta
        if not remaining:
            return cursor
        day = cursor.astimezone(self.tz).date()
        while True:
            day_start = self._start_of_day(day)
            if self.is_business_day(day):
                available = cursor - day_start
                if remaining <= available:
                    return cursor - remaining
                remaining -= available
            cursor = day_start
            day -= timedelta(days=1)

    def add_business_days(self, start: datetime, days: float) -> datetime:
        """`start` plus `days` business days (24 business hours each), as UTC."""
        return self.add_business_time(start, timedelta(days=days))

    def end_of_business_days(self, start: datetime, days: float) -> datetime:
        """Part 2's "business day" deadline: a whole N ends at 24:00 (market time) of the N-th
        business day after the day of `start`; a fractional N counts N × 24 business hours,
        so tests can use tiny durations."""
        if days != int(days):
            return self.add_business_days(start, days)
        day = start.astimezone(self.tz).date()
        remaining = int(days)
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                remaining -= 1
        return self._start_of_day(day + timedelta(days=1))
