"""The monthly rollup of mediation cases (`models.MonthlyRollup`), for the figures of a
region's whole months without reading its cases (docs/mediation.md, "Figures").

What one case contributes: for every ancestor of its region (the region itself
included) and each dimension (level, committee, mediator, dispute kind, channel), one
row of its registration month with the case's measures (`flags`). Kept in the
transaction of the registration (`services._create`) and of every transition (the case
kind's `lock` remembers the contribution before, `written` puts the difference in), so a
transition that rolls back leaves no trace. `rebuild` recounts everything from the cases
(`manage.py mediation_rollup`, after writing cases in bulk).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from pingan.mediation.choices import Ruling, Status
from pingan.mediation.models import MediationCase, MonthlyRollup

# Dimension → the case's column.
DIMS = {
    "level": "level",
    "committee": "committee_id",
    "mediator": "mediator_id",
    "kind": "dispute_kind",
    "channel": "channel",
}
MEASURES = (
    "n",
    "accepted",
    "rejected",
    "succeeded",
    "failed",
    "withdrawn",
    "open",
    "performance_checked",
    "performed",
    "confirmation_requested",
    "confirmed",
)
OPEN = (Status.REGISTERED, Status.ACCEPTED, Status.MEDIATING)

Key = tuple[str, dt.date, str, str, str]  # region_path, month, dim, value, sensitivity
Contribution = dict[Key, tuple[int, ...]]


def flags(case: MediationCase) -> tuple[int, ...]:
    """The case's measures (in MEASURES order); the same calibre as `stats.MEASURE_Q`."""
    agreement = bool(case.performance)
    return (
        1,
        int(case.accepted_at is not None),
        int(case.status == Status.REJECTED),
        int(agreement),
        int(bool(case.failure_reason) and not agreement),
        int(bool(case.withdrawal_reason)),
        int(case.status in OPEN),
        int(agreement and case.performed is not None),
        int(agreement and case.performed is True),
        int(agreement and case.judicial_requested_at is not None),
        int(agreement and case.judicial_ruling == Ruling.CONFIRMED),
    )


def prefixes(path: str) -> list[str]:
    """ "a/b/c/" → ["a/", "a/b/", "a/b/c/"]: the region and its ancestors."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _value(v: Any) -> str:
    return "" if v is None else str(v)


def contribution(case: MediationCase) -> Contribution:
    month = timezone.localdate(case.created_at).replace(day=1)
    f = flags(case)
    out: Contribution = {}
    for path in prefixes(case.region_path):
        for dim, column in DIMS.items():
            out[(path, month, dim, _value(getattr(case, column)), case.sensitivity)] = f
    return out


def _upsert(rows: list[tuple[Key, tuple[int, ...]]]) -> None:
    """Add each row's measures to its key's row (made when missing), in key order."""
    if not rows:
        return
    table = MonthlyRollup._meta.db_table
    keys = ("region_path", "day", "dim", "value", "sensitivity")
    cols = (*keys, *MEASURES)
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    sets = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in MEASURES)
    # Only the model's own table and column names are formatted in; values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES {', '.join([one] * len(rows))} "  # noqa: S608
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    )
    params: list[Any] = []
    for key, measures in rows:
        params.extend((*key, *measures))
    with connection.cursor() as cur:
        cur.execute(sql, params)


def apply(before: Contribution, after: Contribution) -> None:
    """Take `before` out and put `after` in (only the rows whose counts change)."""
    rows = []
    for key in sorted(set(before) | set(after)):
        old = before.get(key, (0,) * len(MEASURES))
        new = after.get(key, (0,) * len(MEASURES))
        delta = tuple(b - a for a, b in zip(old, new, strict=True))
        if any(delta):
            rows.append((key, delta))
    _upsert(rows)


BEFORE = "_rollup_before"


def remember(case: MediationCase) -> None:
    """Before a transition changes the case (the kind's `lock`)."""
    setattr(case, BEFORE, contribution(case))


def case_written(case: MediationCase) -> None:
    """After the case is saved (registration or transition), in its transaction."""
    after = contribution(case)
    apply(getattr(case, BEFORE, {}), after)
    setattr(case, BEFORE, after)


_SUMS = {
    "n": Count("id"),
    "accepted": Count("id", filter=Q(accepted_at__isnull=False)),
    "rejected": Count("id", filter=Q(status=Status.REJECTED)),
    "succeeded": Count("id", filter=~Q(performance="")),
    "failed": Count("id", filter=~Q(failure_reason="") & Q(performance="")),
    "withdrawn": Count("id", filter=~Q(withdrawal_reason="")),
    "open": Count("id", filter=Q(status__in=OPEN)),
    "performance_checked": Count("id", filter=~Q(performance="") & Q(performed__isnull=False)),
    "performed": Count("id", filter=~Q(performance="") & Q(performed=True)),
    "confirmation_requested": Count(
        "id", filter=~Q(performance="") & Q(judicial_requested_at__isnull=False)
    ),
    "confirmed": Count("id", filter=~Q(performance="") & Q(judicial_ruling=Ruling.CONFIRMED)),
}


def recount() -> dict[Key, list[int]]:
    """Every row counted from the cases: one GROUP BY per dimension (month, leaf region,
    label, value), each group added to its region's ancestors."""
    out: dict[Key, list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    tz = timezone.get_current_timezone()
    for dim, column in DIMS.items():
        groups: Iterable[dict[str, Any]] = (
            MediationCase.objects.order_by()
            .annotate(month=TruncMonth("created_at", tzinfo=tz))
            .values("month", "region_path", "sensitivity", column)
            .annotate(**_SUMS)
        )
        for g in groups:
            month = g["month"]
            if isinstance(month, dt.datetime):
                month = timezone.localdate(month) if timezone.is_aware(month) else month.date()
            for path in prefixes(g["region_path"]):
                row = out[(path, month, dim, _value(g[column]), g["sensitivity"])]
                for i, m in enumerate(MEASURES):
                    row[i] += g[m]
    return out


def rebuild(batch: int = 5000) -> int:
    """Replace every row by a recount from the cases (one transaction); the rows written."""
    rows = recount()
    with transaction.atomic():
        MonthlyRollup.objects.all().delete()
        MonthlyRollup.objects.bulk_create(
            (
                MonthlyRollup(
                    region_path=k[0],
                    day=k[1],
                    dim=k[2],
                    value=k[3],
                    sensitivity=k[4],
                    **dict(zip(MEASURES, v, strict=True)),
                )
                for k, v in sorted(rows.items())
                if v[0]
            ),
            batch_size=batch,
        )
    return sum(1 for v in rows.values() if v[0])
