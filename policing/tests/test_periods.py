import datetime
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from policing.periods import NO_SUCH_WEEK, WEEK_FORMAT, IsoWeek

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_parse_valid_week():
    assert IsoWeek.parse("2026-W47") == IsoWeek(2026, 47)
    assert str(IsoWeek.parse("2026-W01")) == "2026-W01"


def test_parse_week_53_of_a_long_year():
    """2026 starts on a Thursday, so it has 53 ISO weeks."""
    assert IsoWeek.parse("2026-W53") == IsoWeek(2026, 53)


@pytest.mark.parametrize("text", ["2026-47", "abc", "2026-W4", "2026W47", ""])
def test_parse_rejects_malformed_text(text):
    with pytest.raises(ValidationError, match=re.escape(str(WEEK_FORMAT))):
        IsoWeek.parse(text)


@pytest.mark.parametrize(
    ("text", "year", "week"),
    [("2026-W60", 2026, 60), ("2026-W00", 2026, 0), ("2027-W53", 2027, 53)],
)
def test_parse_rejects_impossible_week(text, year, week):
    message = str(NO_SUCH_WEEK).format(year=year, week=week)
    with pytest.raises(ValidationError, match=re.escape(message)):
        IsoWeek.parse(text)


def test_parse_rejects_non_string():
    with pytest.raises(ValidationError):
        IsoWeek.parse(None)


def test_start_and_end_are_local_mondays_at_midnight():
    week = IsoWeek(2026, 47)
    assert week.start == datetime.datetime(2026, 11, 16, tzinfo=SHANGHAI)
    assert week.end == datetime.datetime(2026, 11, 23, tzinfo=SHANGHAI)
    assert week.start.utcoffset() == datetime.timedelta(hours=8)
    # Monday 00:00 in Shanghai is Sunday 16:00 UTC.
    assert week.start.astimezone(datetime.UTC) == datetime.datetime(
        2026, 11, 15, 16, tzinfo=datetime.UTC
    )


def test_days_are_monday_to_sunday():
    days = IsoWeek(2026, 47).days
    assert days[0] == datetime.date(2026, 11, 16)
    assert days[-1] == datetime.date(2026, 11, 22)
    assert len(days) == 7


def test_containing_uses_local_time():
    """Sunday 17:00 UTC is already Monday 01:00 in Shanghai, the next week."""
    moment = datetime.datetime(2026, 11, 22, 17, tzinfo=datetime.UTC)
    assert IsoWeek.containing(moment) == IsoWeek(2026, 48)
    assert IsoWeek.containing(datetime.date(2026, 11, 22)) == IsoWeek(2026, 47)


def test_week_across_a_year_boundary():
    """ISO week 2026-W53 ends on Sunday 2027-01-03."""
    week = IsoWeek(2026, 53)
    assert week.days[-1] == datetime.date(2027, 1, 3)
    assert week.next() == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1).previous() == week


@pytest.mark.db_independent
@settings(max_examples=600, deadline=None)
@given(year=st.integers(1900, 2100), week=st.integers(0, 60))
def test_parse_accepts_exactly_the_weeks_of_the_iso_calendar(year, week):
    try:
        expected = datetime.date.fromisocalendar(year, week, 1)
    except ValueError:
        expected = None
    text = f"{year}-W{week:02d}"
    if expected is None:
        with pytest.raises(ValidationError):
            IsoWeek.parse(text)
    else:
        parsed = IsoWeek.parse(text)
        assert parsed.monday == expected
        assert str(parsed) == text


ASCII_WEEK = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)
# Mostly ASCII digits, with other scripts' digits (Arabic-Indic one,
# full-width two) that a regex's \d also matches.
DIGIT_LIKE = st.sampled_from(list("0123456789") * 3 + ["\u0661", "\uff12"])
WEEK_SHAPED = st.builds(
    lambda before, year, w, week, after: f"{before}{year}-{w}{week}{after}",
    st.sampled_from(["", " ", "\n"]),
    st.text(DIGIT_LIKE, min_size=4, max_size=4),
    st.sampled_from(["W", "w"]),
    st.text(DIGIT_LIKE, min_size=1, max_size=3),
    st.sampled_from(["", " ", "\n", "x"]),
)
WEEKISH_TEXT = WEEK_SHAPED | st.text(max_size=12)


def expected_week(text: str) -> datetime.date | None:
    """Return the Monday ``text`` names, read as ASCII ``YYYY-Www`` with spaces
    around, if date.fromisocalendar knows it and the year is supported."""
    match = ASCII_WEEK.fullmatch(text.strip())
    if match is None:
        return None
    year, week = int(match[1]), int(match[2])
    if not 1900 <= year <= 9998:
        return None
    try:
        return datetime.date.fromisocalendar(year, week, 1)
    except ValueError:
        return None


@pytest.mark.db_independent
@settings(max_examples=500, deadline=None, database=None)
@given(WEEKISH_TEXT)
def test_parse_accepts_exactly_the_iso_weeks_of_any_text(text):
    """Any text: parse raises nothing but ValidationError, and accepts exactly
    the texts naming a week date.fromisocalendar knows."""
    expected = expected_week(text)
    try:
        parsed = IsoWeek.parse(text)
    except ValidationError:
        assert expected is None
    else:
        assert parsed.monday == expected


@pytest.mark.parametrize("text", ["9999-W52", "0001-W01", "1899-W52"])
def test_parse_rejects_weeks_out_of_the_supported_years(text):
    """Year 9999's last week ends in year 10000, which has no date."""
    with pytest.raises(ValidationError, match="1900"):
        IsoWeek.parse(text)
