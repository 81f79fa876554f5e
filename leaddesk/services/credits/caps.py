"""Spend-cap windows: a number naming the current week or month, compared in SQL.

A cap counts what a member reserved (and did not get back by a release) in the current calendar
week (Monday 00:00 UTC) or month (the 1st, 00:00 UTC). The account row keeps the window it last
counted in; a reservation in a newer window starts the count again. Week keys (day ordinals of
the Monday, ~740,000) and month keys (year * 12 + month, ~24,300) never collide.
"""

from __future__ import annotations

import datetime as dt

from leaddesk.store.enums import CapPeriod


def week_key(moment: dt.datetime) -> int:
    day = moment.astimezone(dt.UTC).date()
    return (day - dt.timedelta(days=day.weekday())).toordinal()


def month_key(moment: dt.datetime) -> int:
    moment = moment.astimezone(dt.UTC)
    return moment.year * 12 + moment.month


def window_key(period: CapPeriod | str, moment: dt.datetime) -> int:
    return week_key(moment) if CapPeriod(period) is CapPeriod.WEEK else month_key(moment)


def window_start(period: CapPeriod | str, moment: dt.datetime) -> dt.datetime:
    """When the window holding ``moment`` began (UTC midnight)."""
    moment = moment.astimezone(dt.UTC)
    if CapPeriod(period) is CapPeriod.WEEK:
        day = moment.date() - dt.timedelta(days=moment.weekday())
    else:
        day = moment.date().replace(day=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
