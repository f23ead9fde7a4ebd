"""Reporting periods in local time (SPEC §3).

A week is an ISO week, Monday 00:00 to the next Monday 00:00, and a month a
calendar month, both in ``TIME_ZONE``.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEEK_FORMAT = _("Give the week as YYYY-Www, for example 2026-W47.")
NO_SUCH_WEEK = _("{year} has no week {week}.")

# ASCII: \d alone also matches other scripts' digits, full-width ones too.
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.ASCII)


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> "IsoWeek":
        """Return the week named like ``2026-W47``; raise ValidationError otherwise."""
        match = _WEEK.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise ValidationError(WEEK_FORMAT, code="invalid")
        year, week = int(match[1]), int(match[2])
        if not MONTH_FIRST_YEAR <= year <= MONTH_LAST_YEAR:
            # Year 9999's last week ends in year 10000, which has no date.
            raise ValidationError(
                MONTH_YEAR_OUT_OF_RANGE.format(
                    first=MONTH_FIRST_YEAR, last=MONTH_LAST_YEAR
                ),
                code="invalid",
            )
        try:
            datetime.date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValidationError(
                NO_SUCH_WEEK.format(year=year, week=week), code="invalid"
            ) from None
        return cls(year, week)

    @classmethod
    def containing(cls, moment: datetime.date | datetime.datetime) -> "IsoWeek":
        """Return the week of a date, or of an aware datetime in local time."""
        if isinstance(moment, datetime.datetime):
            moment = timezone.localtime(moment).date()
        year, week, _weekday = moment.isocalendar()
        return cls(year, week)

    @classmethod
    def current(cls) -> "IsoWeek":
        return cls.containing(timezone.localdate())

    @property
    def monday(self) -> datetime.date:
        return datetime.date.fromisocalendar(self.year, self.week, 1)

    @property
    def days(self) -> list[datetime.date]:
        return [self.monday + datetime.timedelta(days=n) for n in range(7)]

    @property
    def start(self) -> datetime.datetime:
        """Return Monday 00:00 local time, as an aware datetime."""
        return local_midnight(self.monday)

    @property
    def end(self) -> datetime.datetime:
        """Return the next Monday 00:00 local time (exclusive)."""
        return local_midnight(self.monday + datetime.timedelta(days=7))

    def previous(self) -> "IsoWeek":
        return IsoWeek.containing(self.monday - datetime.timedelta(days=7))

    def next(self) -> "IsoWeek":
        return IsoWeek.containing(self.monday + datetime.timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


MONTH_FORMAT = _("Give the month as YYYY-MM, for example 2026-11.")
NO_SUCH_MONTH = _("There is no month {month}: months run from 01 to 12.")
MONTH_YEAR_OUT_OF_RANGE = _("Give a year from {first} to {last}.")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
MONTH_FIRST_YEAR = 1900
MONTH_LAST_YEAR = 9998


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month in local time (SPEC §3), such as ``2026-11``.

    ``parse`` accepts the years 1900 to 9998 only, so that the same month
    of the previous year and the first day of the next month exist as
    dates and convert to UTC.
    """

    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"no month {self.month}")

    @classmethod
    def parse(cls, text: str) -> "Month":
        """Return the month named like ``2026-11``; raise ValidationError otherwise."""
        match = _MONTH.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise ValidationError(MONTH_FORMAT, code="invalid")
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValidationError(NO_SUCH_MONTH.format(month=match[2]), code="invalid")
        if not MONTH_FIRST_YEAR <= year <= MONTH_LAST_YEAR:
            raise ValidationError(
                MONTH_YEAR_OUT_OF_RANGE.format(
                    first=MONTH_FIRST_YEAR, last=MONTH_LAST_YEAR
                ),
                code="invalid",
            )
        return cls(year, month)

    @classmethod
    def containing(cls, moment: datetime.date | datetime.datetime) -> "Month":
        """Return the month of a date, or of an aware datetime in local time."""
        if isinstance(moment, datetime.datetime):
            moment = timezone.localtime(moment).date()
        return cls(moment.year, moment.month)

    @classmethod
    def current(cls) -> "Month":
        return cls.containing(timezone.localdate())

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last_day(self) -> datetime.date:
        return self.next().first_day - datetime.timedelta(days=1)

    @property
    def start(self) -> datetime.datetime:
        """Return the first day 00:00 local time, as an aware datetime."""
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        """Return the first day of the next month 00:00 local time (exclusive)."""
        return local_midnight(self.next().first_day)

    def previous(self) -> "Month":
        if self.month == 1:
            return Month(self.year - 1, 12)
        return Month(self.year, self.month - 1)

    def next(self) -> "Month":
        if self.month == 12:
            return Month(self.year + 1, 1)
        return Month(self.year, self.month + 1)

    def previous_year(self) -> "Month":
        """Return the same month one year earlier (同比, year on year)."""
        return Month(self.year - 1, self.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def local_midnight(day: datetime.date) -> datetime.datetime:
    """Return 00:00 of ``day`` in local time, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
