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

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


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


def local_midnight(day: datetime.date) -> datetime.datetime:
    """Return 00:00 of ``day`` in local time, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
