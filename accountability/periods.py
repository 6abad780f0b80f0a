"""Reporting periods: a month, a quarter or a year, named by its kind and first day."""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

from accountability.models import PeriodKind

MONTHS_IN = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}
# Roll-ups exist from the portal's start; the bounds keep every period arithmetic valid (the
# end of a year 9999 would be in year 10000, which no date holds).
FIRST_YEAR, LAST_YEAR = 1991, 2100
_SLUG = re.compile(r"(\d{4})(?:-q([1-4])|-(0[1-9]|1[0-2]))?")


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: date

    def __post_init__(self):
        if not FIRST_YEAR <= self.start.year <= LAST_YEAR:
            raise ValueError(f"{self.start.year} is outside {FIRST_YEAR}–{LAST_YEAR}")

    @classmethod
    def containing(cls, kind: str, day: date) -> "Period":
        """The period of a kind that holds a day."""
        if kind == PeriodKind.YEAR:
            return cls(kind, date(day.year, 1, 1))
        if kind == PeriodKind.QUARTER:
            return cls(kind, date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))
        return cls(PeriodKind.MONTH, date(day.year, day.month, 1))

    @classmethod
    def parse(cls, kind: str, text: str) -> "Period":
        """From the kind and "YYYY-MM-DD" (or "YYYY-MM"), aligned to the period's start;
        ValueError when malformed."""
        if kind not in MONTHS_IN:
            raise ValueError(kind)
        parts = [int(part) for part in text.split("-")]
        day = date(parts[0], parts[1] if len(parts) > 1 else 1, 1)
        return cls.containing(kind, day)

    @classmethod
    def from_slug(cls, text: str) -> "Period":
        """The inverse of `slug`: "2026", "2026-q3" or "2026-11"; ValueError otherwise."""
        match = _SLUG.fullmatch(text.strip().lower())
        if not match:
            raise ValueError(text)
        year, quarter, month = match.groups()
        if quarter:
            return cls(PeriodKind.QUARTER, date(int(year), 3 * int(quarter) - 2, 1))
        if month:
            return cls(PeriodKind.MONTH, date(int(year), int(month), 1))
        return cls(PeriodKind.YEAR, date(int(year), 1, 1))

    @property
    def end(self) -> date:
        """The period's last day."""
        month = self.start.month - 1 + MONTHS_IN[self.kind]
        first_after = date(self.start.year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(first_after.toordinal() - 1)

    @property
    def months(self) -> list[date]:
        """The first days of the period's months."""
        first = Period(PeriodKind.MONTH, self.start)
        return [first.shift(steps).start for steps in range(MONTHS_IN[self.kind])]

    def containing_periods(self) -> list["Period"]:
        """The periods of every kind that hold this one's start: its month, quarter, year."""
        return [Period.containing(kind, self.start) for kind in MONTHS_IN]

    def shift(self, steps: int) -> "Period":
        """The period `steps` periods later (earlier when negative)."""
        months = self.start.year * 12 + self.start.month - 1 + steps * MONTHS_IN[self.kind]
        return Period(self.kind, date(months // 12, months % 12 + 1, 1))

    @property
    def previous(self) -> "Period":
        return self.shift(-1)

    @property
    def label(self) -> str:
        """The period in words, in the active language."""
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        if self.kind == PeriodKind.QUARTER:
            return _("Q%(quarter)d %(year)d") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        return formats.date_format(self.start, "YEAR_MONTH_FORMAT")

    @property
    def slug(self) -> str:
        """A short stable name for URLs and files: 2026-11, 2026-q4, 2026."""
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"
