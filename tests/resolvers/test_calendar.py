from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from resolvers.calendar import BusinessCalendar

PARIS = ZoneInfo("Europe/Paris")
CAIRO = ZoneInfo("Africa/Cairo")
BERLIN = ZoneInfo("Europe/Berlin")
DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)

france = BusinessCalendar()


def paris(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=PARIS)


def due(start: datetime, delta: timedelta = DAY, calendar: BusinessCalendar = france) -> datetime:
    return calendar.add_business_time(start, delta)


def test_tuesday_morning_is_due_wednesday_same_time() -> None:
    assert due(paris(2026, 3, 10, 10)) == paris(2026, 3, 11, 10)


def test_friday_afternoon_is_due_monday_same_time() -> None:
    assert due(paris(2026, 3, 13, 15)) == paris(2026, 3, 16, 15)


def test_saturday_message_is_due_at_tuesday_midnight() -> None:
    assert due(paris(2026, 3, 14, 11)) == paris(2026, 3, 17, 0)


def test_thursday_before_a_friday_public_holiday_is_due_monday() -> None:
    # 8 May 2026 (Victoire 1945) is a Friday.
    assert due(paris(2026, 5, 7, 9)) == paris(2026, 5, 11, 9)


def test_a_message_sent_on_a_public_holiday_starts_counting_the_next_business_day() -> None:
    assert due(paris(2027, 1, 1, 10)) == paris(2027, 1, 5, 0)


def test_the_deadline_is_returned_in_utc() -> None:
    result = due(paris(2026, 3, 10, 10))
    assert result.tzinfo is UTC
    assert result == datetime(2026, 3, 11, 9, tzinfo=UTC)


def test_a_start_in_another_time_zone_is_read_in_market_time() -> None:
    # Friday 23:30 UTC is already Saturday 00:30 in Paris: the weekend has begun.
    friday_night_utc = datetime(2026, 3, 13, 23, 30, tzinfo=UTC)
    assert due(friday_night_utc) == paris(2026, 3, 17, 0)


def test_spring_forward_weekend_keeps_the_wall_clock_time() -> None:
    start = paris(2026, 3, 27, 15)  # Friday, CET; clocks go forward on Sunday 29 March
    result = due(start)
    assert result == paris(2026, 3, 30, 15)
    assert result - start == timedelta(hours=71)


def test_fall_back_weekend_keeps_the_wall_clock_time() -> None:
    start = paris(2026, 10, 23, 15)  # Friday, CEST; clocks go back on Sunday 25 October
    result = due(start)
    assert result == paris(2026, 10, 26, 15)
    assert result - start == timedelta(hours=73)


def test_a_23_hour_business_day_contributes_23_hours() -> None:
    # Cairo skips from Thursday 24:00 to Friday 01:00 on 24 April 2026: Friday lasts 23 hours.
    egypt = BusinessCalendar("EG", "Africa/Cairo")
    start = datetime(2026, 4, 23, 12, tzinfo=CAIRO)
    assert due(start, DAY, egypt) == datetime(2026, 4, 24, 13, tzinfo=CAIRO)
    assert due(start, timedelta(hours=36), egypt) == datetime(2026, 4, 27, 1, tzinfo=CAIRO)


def test_a_25_hour_business_day_contributes_25_hours() -> None:
    # Cairo repeats 23:00-24:00 on Thursday 29 October 2026: Thursday lasts 25 hours, and
    # its first 24 of them end at the second 23:00 rather than at Friday midnight.
    egypt = BusinessCalendar("EG", "Africa/Cairo")
    start = datetime(2026, 10, 28, 12, tzinfo=CAIRO)
    result = due(start, timedelta(hours=36), egypt)
    assert result == datetime(2026, 10, 29, 21, tzinfo=UTC)
    local = result.astimezone(CAIRO)
    assert (local.day, local.hour, local.fold) == (29, 23, 1)
    assert due(start, timedelta(hours=48), egypt) == datetime(2026, 10, 30, 11, tzinfo=CAIRO)


def test_year_end_skips_new_years_day_and_the_weekend() -> None:
    assert due(paris(2026, 12, 31, 10)) == paris(2027, 1, 4, 10)
    assert due(paris(2026, 12, 30, 15), 2 * DAY) == paris(2027, 1, 4, 15)


def test_fractional_deltas_are_counted_to_the_second() -> None:
    assert due(paris(2026, 3, 10, 10), timedelta(days=0.05)) == paris(2026, 3, 10, 11, 12)
    assert due(paris(2026, 3, 13, 23, 30), timedelta(days=0.05)) == paris(2026, 3, 16, 0, 42)


def test_business_days_are_24_business_hours_each() -> None:
    monday = paris(2026, 11, 30, 9)
    assert france.add_business_days(monday, 3) == paris(2026, 12, 3, 9)
    assert france.add_business_days(monday, 5) == paris(2026, 12, 7, 9)
    assert france.add_business_days(monday, 0.5) == paris(2026, 11, 30, 21)


def test_a_long_delay_crosses_every_holiday_of_the_year() -> None:
    # 2027 has 261 weekdays, 7 of them French public holidays.
    start = paris(2027, 1, 1)
    assert france.add_business_days(start, 254) == paris(2028, 1, 1)


def test_zero_delay_is_due_immediately_even_on_a_weekend() -> None:
    saturday = paris(2026, 3, 14, 11)
    assert due(saturday, timedelta(0)) == saturday


def test_negative_delays_and_naive_starts_are_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        due(paris(2026, 3, 10, 10), -DAY)
    with pytest.raises(ValueError, match="must be timezone-aware"):
        due(datetime(2026, 3, 10, 10))


def test_weekdays_are_business_days_except_public_holidays() -> None:
    assert france.is_business_day(date(2026, 3, 10))
    assert not france.is_business_day(date(2026, 3, 14))
    assert not france.is_business_day(date(2026, 3, 15))
    assert not france.is_business_day(date(2026, 7, 14))
    assert not france.is_business_day(date(2027, 1, 1))


def test_the_country_and_time_zone_are_configurable() -> None:
    germany = BusinessCalendar("DE", "Europe/Berlin")
    # 3 October 2025 (German Unity Day) is a Friday; 14 July is French only.
    assert due(datetime(2025, 10, 2, 9, tzinfo=BERLIN), DAY, germany) == datetime(
        2025, 10, 6, 9, tzinfo=BERLIN
    )
    assert due(paris(2025, 10, 2, 9)) == paris(2025, 10, 3, 9)
    assert germany.is_business_day(date(2026, 7, 14))
    assert due(paris(2026, 7, 13, 10)) == paris(2026, 7, 15, 10)


def test_an_unknown_country_is_refused_at_construction() -> None:
    with pytest.raises(NotImplementedError):
        BusinessCalendar("XX")


def test_business_time_before_a_deadline_walks_back_over_weekends_and_holidays() -> None:
    assert france.subtract_business_time(paris(2026, 3, 10, 10), HOUR * 4) == paris(2026, 3, 10, 6)
    # Monday 02:00 less 4 business hours: Friday 22:00.
    assert france.subtract_business_time(paris(2026, 3, 16, 2), HOUR * 4) == paris(2026, 3, 13, 22)
    # 4 January 2027 is a Monday after New Year's Day (a Friday).
    assert france.subtract_business_time(paris(2027, 1, 4, 1), HOUR * 4) == paris(2026, 12, 31, 21)
    # A weekend deadline counts from the end of Friday.
    assert france.subtract_business_time(paris(2026, 3, 14, 11), HOUR) == paris(2026, 3, 13, 23)
    for start in (paris(2026, 3, 10, 10), paris(2026, 12, 30, 15), paris(2026, 3, 13, 23, 30)):
        end = due(start, HOUR * 7)
        assert france.subtract_business_time(end, HOUR * 7) == start


def test_zero_or_negative_time_before_a_deadline() -> None:
    saturday = paris(2026, 3, 14, 11)
    assert france.subtract_business_time(saturday, timedelta(0)) == saturday
    with pytest.raises(ValueError, match="must not be negative"):
        france.subtract_business_time(saturday, -HOUR)
    with pytest.raises(ValueError, match="timezone-aware"):
        france.subtract_business_time(datetime(2026, 3, 10, 10), HOUR)
