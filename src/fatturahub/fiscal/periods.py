"""Settlement periods: a month or a quarter of a calendar year."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Periodicity(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"  # by option, art. 7 DPR 542/1999, or by law, art. 74 c. 4 DPR 633/72


@dataclass(frozen=True, order=True)
class Period:
    """A month (`month` 1–12) or a quarter (`quarter` 1–4) of `year`; exactly one of the two."""

    year: int
    month: int | None = None
    quarter: int | None = None

    def __post_init__(self) -> None:
        if (self.month is None) == (self.quarter is None):
            raise ValueError("a period is either a month or a quarter")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1..4, got {self.quarter}")

    @classmethod
    def containing(cls, day: date, periodicity: Periodicity) -> Period:
        if periodicity is Periodicity.MONTHLY:
            return cls(day.year, month=day.month)
        return cls(day.year, quarter=(day.month - 1) // 3 + 1)

    @property
    def periodicity(self) -> Periodicity:
        return Periodicity.MONTHLY if self.month is not None else Periodicity.QUARTERLY

    @property
    def first_month(self) -> int:
        return self.month if self.month is not None else 3 * (self.quarter or 0) - 2

    @property
    def last_month(self) -> int:
        return self.month if self.month is not None else 3 * (self.quarter or 0)

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    @property
    def opens_year(self) -> bool:
        return self.first_month == 1

    @property
    def closes_year(self) -> bool:
        return self.last_month == 12

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month is not None else f"{self.year}-Q{self.quarter}"
