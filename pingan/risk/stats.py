"""Figures of the risk assessment of major matters (docs/risk.md, "Figures"): counts
only; the rate of measures done on time is computed above (API and pages, with
`analytics.kpis.rate`/`format_rate`: risk sits below analytics and may not import it).

Over the matters the actor may see (`permissions.matter_scope_q`), in the region asked
about or below it, for a period of local days `date_from`..`date_to` inclusive:

- registered: matters registered in the period, by kind;
- assessed: matters graded (定级) in the period, by grade and by month; of them, those
  with a third-party assessment step (第三方评估);
- decided: matters decided in the period, by decision;
- measures: the measures of those matters whose deadline falls in the period and is
  due (done, or its deadline passed): done on time (numerator), due (denominator), done
  late, and overdue still open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.risk.choices import Decision, Grade, MatterKind, StepKind
from pingan.risk.models import AssessmentStep, MajorMatter, RiskMeasure
from pingan.risk.permissions import matter_scope_q


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """This year to today (local)."""
    today = today or timezone.localdate(clock.now())
    return dt.date(today.year, 1, 1), today


def figures(
    *,
    actor: Actor | Any,
    date_from: dt.date,
    date_to: dt.date,
    region: Region | None = None,
) -> dict[str, Any]:
    """The counts of the module docstring (four aggregate queries)."""
    actor = as_actor(actor)
    lo, hi = _start(date_from), _start(date_to + dt.timedelta(days=1))
    today = timezone.localdate(clock.now())
    matters = MajorMatter.objects.filter(matter_scope_q(actor))
    if region is not None:
        matters = matters.filter(within_q("region_path", [region.path]))
    third = Exists(AssessmentStep.objects.filter(matter=OuterRef("pk"), kind=StepKind.THIRD_PARTY))
    in_period = Q(graded_at__gte=lo, graded_at__lt=hi)
    counts = matters.aggregate(
        registered=Count("id", filter=Q(created_at__gte=lo, created_at__lt=hi)),
        assessed=Count("id", filter=in_period),
        decided=Count("id", filter=Q(decided_at__gte=lo, decided_at__lt=hi)),
        **{
            f"kind_{v}": Count("id", filter=Q(created_at__gte=lo, created_at__lt=hi, kind=v))
            for v in MatterKind.values
        },
        **{f"grade_{v}": Count("id", filter=in_period & Q(grade=v)) for v in Grade.values},
        **{
            f"decision_{v}": Count(
                "id", filter=Q(decided_at__gte=lo, decided_at__lt=hi, decision=v)
            )
            for v in Decision.values
        },
    )
    third_party = matters.filter(in_period).filter(third).count()
    months = (
        matters.filter(in_period)
        .annotate(month=TruncMonth("graded_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    measures = RiskMeasure.objects.filter(
        matter__in=matters.values("pk"), deadline__gte=date_from, deadline__lte=date_to
    ).aggregate(
        n_on_time=Count("id", filter=Q(done_at__isnull=False, on_time=True)),
        n_late=Count("id", filter=Q(done_at__isnull=False, on_time=False)),
        n_overdue=Count("id", filter=Q(done_at__isnull=True, deadline__lt=today)),
        n_pending=Count("id", filter=Q(done_at__isnull=True, deadline__gte=today)),
    )
    due = measures["n_on_time"] + measures["n_late"] + measures["n_overdue"]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "region": region.pk if region is not None else None,
        "registered": counts["registered"],
        "assessed": counts["assessed"],
        "third_party": third_party,
        "decided": counts["decided"],
        "by_kind": {v: counts[f"kind_{v}"] for v in MatterKind.values},
        "by_grade": {v: counts[f"grade_{v}"] for v in Grade.values},
        "by_decision": {v: counts[f"decision_{v}"] for v in Decision.values},
        "by_month": [
            {
                "month": timezone.localdate(r["month"]).strftime("%Y-%m")
                if isinstance(r["month"], dt.datetime)
                else str(r["month"])[:7],
                "assessed": r["n"],
            }
            for r in months
        ],
        "measures_due": due,
        "measures_on_time": measures["n_on_time"],
        "measures_late": measures["n_late"],
        "measures_overdue": measures["n_overdue"],
        "measures_pending": measures["n_pending"],
    }
