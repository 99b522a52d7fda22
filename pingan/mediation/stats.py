"""Mediation figures: the raw counts behind the 调解成功率, 调处率, 协议履行率 and 司法确认率
(docs/mediation.md, "Figures"). Counts only; the rates, 同比 and 环比 are computed above,
by `pingan.analytics.mediation_figures` with the analytics formulas (mediation sits below
analytics and may not import it).

The population: cases registered (`created_at`, local days) from `date_from` to
`date_to` inclusive, in the region asked about or below it, that the actor may see (the
case list's scope, `permissions.case_scope_q`). Each case counts where it stands now;
在办超期 by the live clock (accepted or mediating, past `due_at`).

Two bases, the same counts (a test checks it): for a region inside the caller's own
centre regions, whole months from the monthly rollup (`mediation.rollup`) plus the days at
either end and the overdue cases from the cases; otherwise one aggregate query over the
cases in scope, grouped by level, committee, mediator, dispute kind and channel at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.geo.scope import within, within_q
from pingan.mediation import rollup
from pingan.mediation.choices import Channel, CommitteeLevel, DisputeKind, Ruling, Status
from pingan.mediation.models import Committee, MediationCase, Mediator, MonthlyRollup
from pingan.mediation.permissions import (
    CENTRE_ROLES,
    case_scope_q,
    judicial_visible_to_centre,
)

# The counts of one group of cases (every measure the rates divide).
MEASURES = (
    "received",  # 登记: registered in the period
    "accepted",  # 受理: accepted (an acceptance time), whatever happened after
    "rejected",  # 不予受理
    "succeeded",  # 调解成功: an agreement (its performance mode is set)
    "failed",  # 调解不成: a failure reason, no agreement
    "withdrawn",  # 撤回
    "open",  # 在办: registered, accepted or mediating now
    "overdue",  # 在办超期: accepted or mediating, past the mediation term now
    "performance_checked",  # 履行回访: agreements with a performance follow-up
    "performed",  # 已履行
    "confirmation_requested",  # 申请司法确认
    "confirmed",  # 司法确认有效
)
# Open states in which the term runs (a registered case has no term yet).
RUNNING = (Status.ACCEPTED, Status.MEDIATING)
OPEN = (Status.REGISTERED, Status.ACCEPTED, Status.MEDIATING)

# The breakdowns: the key of the answer and the column grouped by.
DIMENSIONS = {
    "by_level": "level",
    "by_committee": "committee_id",
    "by_mediator": "mediator_id",
    "by_kind": "dispute_kind",
    "by_channel": "channel",
}

Period = tuple[dt.date | None, dt.date | None]


def _measures(now: dt.datetime) -> dict[str, Any]:
    agreement = ~Q(performance="")
    return {
        "received": Count("id"),
        "accepted": Count("id", filter=Q(accepted_at__isnull=False)),
        "rejected": Count("id", filter=Q(status=Status.REJECTED)),
        "succeeded": Count("id", filter=agreement),
        "failed": Count("id", filter=~Q(failure_reason="") & Q(performance="")),
        "withdrawn": Count("id", filter=~Q(withdrawal_reason="")),
        "open": Count("id", filter=Q(status__in=OPEN)),
        "overdue": Count("id", filter=Q(status__in=RUNNING, due_at__lt=now)),
        "performance_checked": Count("id", filter=agreement & Q(performed__isnull=False)),
        "performed": Count("id", filter=agreement & Q(performed=True)),
        "confirmation_requested": Count(
            "id", filter=agreement & Q(judicial_requested_at__isnull=False)
        ),
        "confirmed": Count("id", filter=agreement & Q(judicial_ruling=Ruling.CONFIRMED)),
    }


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day` (the zone TIME_ZONE names)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _days_q(date_from: dt.date | None, date_to: dt.date | None) -> Q:
    q = Q()
    if date_from is not None:
        q &= Q(created_at__gte=day_start(date_from))
    if date_to is not None:
        q &= Q(created_at__lt=day_start(date_to + dt.timedelta(days=1)))
    return q


def population_q(
    *, region_path: str | None, date_from: dt.date | None, date_to: dt.date | None
) -> Q:
    """The cases of the region's subtree registered on the days from..to (either optional)."""
    q = _days_q(date_from, date_to)
    if region_path:
        q &= within_q("region_path", [region_path])
    return q


def _grouped(actor: Actor, q: Q, measures: dict[str, Any]) -> list[dict[str, Any]]:
    """The counts of the actor's cases matching `q`, one row per level × committee ×
    mediator × dispute kind × channel (one aggregate query)."""
    qs = (
        MediationCase.objects.filter(case_scope_q(actor))
        .filter(q)
        .order_by()
        .values(*DIMENSIONS.values())
        .annotate(**measures)
    )
    return list(qs)


# ---- counts: {"total": {measure: n}, "by": {column: {value: {measure: n}}}} --------------------


def _empty() -> dict[str, int]:
    return dict.fromkeys(MEASURES, 0)


def _add(into: dict[str, int], row: dict[str, Any]) -> None:
    for m in MEASURES:
        into[m] += row.get(m) or 0


def _counts(rows: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    """Totals and per-column sums of grouped rows (thousands of rows for a county's
    edge days: only each row's non-zero measures are added)."""
    total = _empty()
    by: dict[str, dict[Any, dict[str, int]]] = {c: {} for c in DIMENSIONS.values()}
    targets = list(by.items())
    for r in rows:
        present = [(m, v) for m in MEASURES if (v := r.get(m))]
        if not present:
            continue
        for m, v in present:
            total[m] += v
        for column, values in targets:
            into = values.get(r[column])
            if into is None:
                into = values[r[column]] = _empty()
            for m, v in present:
                into[m] += v
    return {"total": total, "by": by}


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    _add(into["total"], other["total"])
    for column, values in other["by"].items():
        for value, row in values.items():
            _add(into["by"][column].setdefault(value, _empty()), row)


def _finish(c: dict[str, Any]) -> dict[str, Any]:
    for row in (c["total"], *(r for values in c["by"].values() for r in values.values())):
        row["mediated"] = row["succeeded"] + row["failed"]
    return c


def totals(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """The measures summed over grouped rows (with `mediated`)."""
    return _finish(_counts(rows))["total"]  # type: ignore[no-any-return]


# ---- the rollup basis ----------------------------------------------------------------------


def rollup_basis(actor: Actor, region_path: str | None) -> bool:
    """Whether the monthly rollup answers for this actor and region: a region inside the
    actor's own centre regions (leader, dispatcher), where every case is in scope but for
    its sensitivity label (a key of the rollup), and judicial committees' cases visible."""
    if not region_path or not judicial_visible_to_centre():
        return False
    return within(region_path, actor.paths(CENTRE_ROLES))


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def split_period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[Period, list[Period]]:
    """The whole months of the period (first day of the first, first day of the last; None
    for no bound; (x, y) with x > y for none) and the days at either end outside them."""
    first = None if date_from is None else date_from
    if first is not None and first.day != 1:
        first = _month_end(first) + dt.timedelta(days=1)
    last = None if date_to is None else date_to.replace(day=1)
    if date_to is not None and last is not None and date_to != _month_end(date_to):
        last = (last - dt.timedelta(days=1)).replace(day=1)
    if first is not None and last is not None and first > last:
        return (first, last), [(date_from, date_to)]
    edges: list[Period] = []
    if date_from is not None and first is not None and date_from < first:
        edges.append((date_from, first - dt.timedelta(days=1)))
    if date_to is not None and last is not None and date_to > _month_end(last):
        edges.append((_month_end(last) + dt.timedelta(days=1), date_to))
    return (first, last), edges


_VALUE = {"committee": "committee_id", "mediator": "mediator_id", "kind": "dispute_kind"}


def _from_rollup(actor: Actor, region_path: str, months: Period) -> dict[str, Any]:
    first, last = months
    if first is not None and last is not None and first > last:
        return _counts()
    # Rows a case has moved out of stay with zeros (n = 0): left out.
    q = Q(region_path=region_path, sensitivity__in=["", *sorted(actor.clearances)], n__gt=0)
    if first is not None:
        q &= Q(day__gte=first)
    if last is not None:
        q &= Q(day__lte=last)
    sums = {("received" if m == "n" else m): Sum(m) for m in rollup.MEASURES}
    rows: list[dict[str, Any]] = list(
        MonthlyRollup.objects.filter(q).order_by().values("dim", "value").annotate(**sums)  # type: ignore[arg-type]
    )
    out = _counts()
    for r in rows:
        column = _VALUE.get(r["dim"], r["dim"])
        value: Any = r["value"]
        if column in ("committee_id", "mediator_id"):
            value = int(value) if value else None
        _add(out["by"][column].setdefault(value, _empty()), r)
        if r["dim"] == "channel":  # every case has exactly one channel: the totals
            _add(out["total"], r)
    return out


def counts(
    *,
    actor: Actor | Any,
    region_path: str | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> dict[str, Any]:
    """The population's counts, in total and per value of each breakdown column. From
    the monthly rollup for whole months when `rollup_basis` (the days at either end and
    the overdue cases from the cases), else one aggregate over the cases in scope."""
    actor = as_actor(actor)
    now = clock.now()
    if not rollup_basis(actor, region_path):
        q = population_q(region_path=region_path, date_from=date_from, date_to=date_to)
        return _finish(_counts(_grouped(actor, q, _measures(now))))
    assert region_path is not None
    months, edges = split_period(date_from, date_to)
    out = _from_rollup(actor, region_path, months)
    if edges:
        without_overdue = {k: v for k, v in _measures(now).items() if k != "overdue"}
        q = Q(pk__in=[])
        for f, t in edges:
            q |= _days_q(f, t)
        _merge(
            out,
            _counts(_grouped(actor, within_q("region_path", [region_path]) & q, without_overdue)),
        )
    # 在办超期 is the live clock: counted from the open cases past their term.
    late = population_q(region_path=region_path, date_from=date_from, date_to=date_to)
    late &= Q(status__in=RUNNING, due_at__lt=now)
    _merge(out, _counts(_grouped(actor, late, {"overdue": Count("id")})))
    return _finish(out)


def counts_many(
    *, actor: Actor | Any, region_path: str | None, periods: list[Period]
) -> list[dict[str, Any]]:
    """The counts of each period."""
    return [
        counts(actor=actor, region_path=region_path, date_from=f, date_to=t) for f, t in periods
    ]


def names(column: str, values: Iterable[Any]) -> dict[Any, str]:
    """The display names of a breakdown's values (committees and mediators by id)."""
    ids = [v for v in values if v is not None]
    if column == "committee_id":
        return dict(Committee.objects.filter(pk__in=ids).values_list("pk", "name"))
    if column == "mediator_id":
        return dict(Mediator.objects.filter(pk__in=ids).values_list("pk", "name"))
    labels: Any = {
        "level": CommitteeLevel,
        "dispute_kind": DisputeKind,
        "channel": Channel,
    }[column]
    return {str(value): str(label) for value, label in labels.choices}


def first_day() -> dt.date | None:
    """The first local day a case was registered on (one index read), for the withheld
    comparisons (基期数据不完整) when `PINGAN_DATA_SINCE` is not set."""
    first = MediationCase.objects.aggregate(first=Min("created_at"))["first"]  # an index read
    return timezone.localdate(first) if first else None


def overdue_cases(
    *,
    actor: Actor | Any,
    region_path: str | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> Any:
    """The open cases past their term among the population, the longest overdue first."""
    return (
        MediationCase.objects.filter(case_scope_q(as_actor(actor)))
        .filter(population_q(region_path=region_path, date_from=date_from, date_to=date_to))
        .filter(status__in=RUNNING, due_at__lt=clock.now())
        .select_related("committee", "mediator", "region")
        .order_by("due_at", "id")
    )
