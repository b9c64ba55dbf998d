"""The range of days Daily Papers can have: one place for the first day, so fetch, import, validate and
build agree on it."""

from __future__ import annotations

import datetime as dt

FIRST_DAY = dt.date(2023, 5, 4)


def day_problem(day: dt.date, today: dt.date) -> str | None:
    """Why `day` cannot be a Daily-Papers day, or None. Tomorrow is allowed: it is already today in
    time zones ahead of UTC."""
    if day < FIRST_DAY:
        return f"before the list began on {FIRST_DAY.isoformat()}"
    if day > today + dt.timedelta(days=1):
        return "after tomorrow (UTC)"
    return None
