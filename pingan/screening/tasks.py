"""Background tasks of the screening app: ids in, a service call, nothing else."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from pingan.screening import notify, services


@task()
def screening_daily(on: str | None = None) -> dict[str, int]:
    """The daily run (rounds generated, old ones closed, due-date reminders)."""
    day = dt.date.fromisoformat(on) if on else None
    out = services.daily(on=day)
    return {
        "rounds": out.rounds,
        "reports": out.reports,
        "closed": out.closed,
        "reminded": out.reminded,
    }


@task()
def screening_remind(report_ids: list[int]) -> int:
    """Tell the units of these pending reports that they are due today."""
    return notify.due_today(report_ids)
