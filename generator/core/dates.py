"""Which days can have a Daily Papers list: the one place that knows the archive's date range; and how
a moment is written in a snapshot (and in the record of sent digests).

The list began on 2023-05-04, so an earlier day has no list to fetch or import. The latest day is
tomorrow (UTC), not today: the list is dated in the time zone of whoever submits, and a day already
begun east of UTC can be listed before it begins in UTC. Anything later is a typo, not a day.
"""

from __future__ import annotations

import datetime as dt

FIRST_DAY = dt.date(2023, 5, 4)


def last_day(today: dt.date) -> dt.date:
    """The latest day that can have a list when it is `today` in UTC."""
    return today + dt.timedelta(days=1)


def day_problem(day: dt.date, today: dt.date) -> str | None:
    """Why `day` can have no list (one line), or None when it can."""
    if day < FIRST_DAY:
        return f"{day.isoformat()} is before {FIRST_DAY.isoformat()}, the first day of the Daily Papers list"
    if day > last_day(today):
        return (
            f"{day.isoformat()} is after tomorrow (today is {today.isoformat()} UTC); "
            "there is no list for it yet"
        )
    return None


def format_timestamp(moment: dt.datetime) -> str:
    """A UTC timestamp in the snapshot format, whole seconds (`2025-09-08T02:44:20Z`)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
