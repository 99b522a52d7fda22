"""The registers' figures per child region (grid, village or town), for the dashboard and
the map: persons present, new residents, residence permits expiring within 30 days, key
persons by category, visit tasks due, done and missed.

Each figure is one aggregate query over the region's subtree grouped by the rows'
`region_path` (a grid's path: as many groups as grids, not rows), led by the
`region_path` indexes (prefix match, `varchar_pattern_ops`); the groups are then added up
per child region in Python. Everything is counted within the actor's scope and
clearances, as the lists are (docs/registry.md, "Figures").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, Sum

from pingan.access.actor import Actor, as_actor
from pingan.access.scope import visible_q
from pingan.geo import scope as paths
from pingan.geo.models import Region
from pingan.registry import permissions as perms
from pingan.registry import rollup
from pingan.registry.choices import KeyPersonStatus, PermitStatus, PersonKind, PersonStatus
from pingan.registry.models import (
    GridCount,
    KeyPerson,
    KeyPersonCategory,
    Person,
    ResidencePermit,
    VisitTask,
)
from pingan.registry.services import today

EXPIRING_DAYS = 30
FIGURES = (
    "persons",
    "new_residents",
    "permits_expiring",
    "key_persons",
    "visits_due",
    "visits_overdue",
    "visits_done",
    "visits_missed",
)


def _permit_scope_q(actor: Actor) -> Q:
    if perms.is_system(actor):
        return Q()
    return visible_q(actor, sensitivity_field="person__sensitivity")


def direct_counts(
    actor: Actor | Any,
    region: Region,
    *,
    day: dt.date | None = None,
    since: dt.date | None = None,
) -> dict[str, Any]:
    """`counts` counted on the registers themselves (every row of the subtree): what the
    rollup must equal (its test), and the answer for another day or period.

    Visits: `visits_due` open tasks whose reminder date has come, `visits_overdue` those
    past their due date, `visits_done` tasks done and `visits_missed` tasks missed since
    `since` (the first of the month by default) up to `day` (today)."""
    actor = as_actor(actor)
    day = day or today()
    since = since or day.replace(day=1)
    children = list(Region.objects.filter(parent=region).order_by("path"))
    units = children or [region]
    by_code = {r.code: r for r in units}
    cut = len(region.path)

    def unit_of(path: str) -> str:
        if not children:
            return region.code
        return path[cut:].split("/", 1)[0]

    inside = paths.within_q("region_path", (region.path,))
    cats = list(KeyPersonCategory.objects.order_by("order", "code"))
    rows: dict[str, dict[str, Any]] = {
        code: {f: 0 for f in FIGURES} | {"by_category": {c.code: 0 for c in cats}}
        for code in by_code
    }

    def add(code: str, figure: str, n: int) -> None:
        if code in rows:
            rows[code][figure] += n

    persons = (
        Person.objects.filter(perms.person_scope_q(actor), inside, status=PersonStatus.PRESENT)
        .values("region_path")
        .annotate(n=Count("id"), new=Count("id", filter=Q(kind=PersonKind.NEW_RESIDENT)))
        .order_by()
    )
    for r in persons:
        code = unit_of(r["region_path"])
        add(code, "persons", r["n"])
        add(code, "new_residents", r["new"])

    permits = (
        ResidencePermit.objects.filter(
            _permit_scope_q(actor),
            inside,
            status=PermitStatus.ISSUED,
            expires_on__gte=day,
            expires_on__lte=day + dt.timedelta(days=EXPIRING_DAYS),
        )
        .values("region_path")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    for pr in permits:
        add(unit_of(pr["region_path"]), "permits_expiring", pr["n"])

    kps = (
        KeyPerson.objects.filter(
            perms.key_person_scope_q(actor), inside, status=KeyPersonStatus.ACTIVE
        )
        .values("region_path", "category__code")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    for kr in kps:
        code = unit_of(kr["region_path"])
        add(code, "key_persons", kr["n"])
        if code in rows:
            per = rows[code]["by_category"]
            per[kr["category__code"]] = per.get(kr["category__code"], 0) + kr["n"]

    open_ = Q(done_at__isnull=True, cancelled_at__isnull=True)
    tasks = (
        VisitTask.objects.filter(perms.task_scope_q(actor), inside)
        .values("region_path")
        .annotate(
            due=Count("id", filter=open_ & Q(opens_on__lte=day), distinct=True),
            overdue=Count("id", filter=open_ & Q(due_on__lt=day), distinct=True),
            done=Count(
                "id",
                filter=Q(done_at__isnull=False, due_on__gte=since, due_on__lte=day),
                distinct=True,
            ),
            missed=Count(
                "id", filter=Q(missed=True, due_on__gte=since, due_on__lte=day), distinct=True
            ),
        )
        .order_by()
    )
    for tr in tasks:
        code = unit_of(tr["region_path"])
        add(code, "visits_due", tr["due"])
        add(code, "visits_overdue", tr["overdue"])
        add(code, "visits_done", tr["done"])
        add(code, "visits_missed", tr["missed"])

    return _assemble(region, by_code, rows, cats, day, since)


def _assemble(
    region: Region,
    by_code: dict[str, Region],
    rows: dict[str, dict[str, Any]],
    cats: list[KeyPersonCategory],
    day: dt.date,
    since: dt.date,
) -> dict[str, Any]:
    out_rows = []
    total: dict[str, Any] = {f: 0 for f in FIGURES} | {"by_category": {c.code: 0 for c in cats}}
    for code, unit in by_code.items():
        row = rows[code]
        out_rows.append(
            {"region": unit.pk, "code": unit.code, "name": unit.name, "level": unit.level} | row
        )
        for f in FIGURES:
            total[f] += row[f]
        for c, n in row["by_category"].items():
            total["by_category"][c] = total["by_category"].get(c, 0) + n
    return {
        "region": {"id": region.pk, "code": region.code, "name": region.name},
        "day": day,
        "since": since,
        "categories": [{"code": c.code, "name": c.name} for c in cats],
        "rows": out_rows,
        "total": total,
    }


def counts(
    actor: Actor | Any,
    region: Region,
    *,
    day: dt.date | None = None,
    since: dt.date | None = None,
) -> dict[str, Any]:
    """The figures of `region`'s children (itself when it has none) and their total.

    Visits: `visits_due` open tasks whose reminder date has come, `visits_overdue` those
    past their due date, `visits_done` tasks done and `visits_missed` tasks missed since
    `since` (the first of the month by default) up to `day` (today).

    Read from the per-grid rollup (`registry.rollup`) when it was counted for `day` with
    the default period (a few hundred rows whatever the persons); otherwise counted on the
    registers (`direct_counts`). Same answer either way."""
    actor = as_actor(actor)
    day = day or today()
    since = since or day.replace(day=1)
    if since != day.replace(day=1) or not rollup.fresh(region, day):
        return direct_counts(actor, region, day=day, since=since)
    children = list(Region.objects.filter(parent=region).order_by("path"))
    units = children or [region]
    by_code = {r.code: r for r in units}
    cut = len(region.path)

    def unit_of(path: str) -> str:
        if not children:
            return region.code
        return path[cut:].split("/", 1)[0]

    inside = paths.within_q("region_path", (region.path,))
    cats = list(KeyPersonCategory.objects.order_by("order", "code"))
    rows: dict[str, dict[str, Any]] = {
        code: {f: 0 for f in FIGURES} | {"by_category": {c.code: 0 for c in cats}}
        for code in by_code
    }

    def add(code: str, figure: str, n: int) -> None:
        if code in rows:
            rows[code][figure] += n

    system = perms.is_system(actor)
    if not system and actor.user is None:
        return _assemble(region, by_code, rows, cats, day, since)
    scope = Q() if system else visible_q(actor, sensitivity_field="sensitivity")
    sums: Any = (
        GridCount.objects.filter(scope, inside, day=day)
        .values("region_path", "category")
        .annotate(**{f: Sum(f) for f in rollup.COUNTS})
        .order_by()
    )
    for g in sums:
        code = unit_of(g["region_path"])
        for f in rollup.COUNTS:
            add(code, f, g[f] or 0)
        if g["category"] and code in rows:
            per = rows[code]["by_category"]
            per[g["category"]] = per.get(g["category"], 0) + (g["key_persons"] or 0)

    if not system:
        # What a helper (帮扶责任人) or an assignee sees beyond the regions and labels: the
        # key persons they help and those persons' tasks (a handful: counted directly).
        user = actor.user
        region_label = visible_q(actor, sensitivity_field="sensitivity")
        extra_kps = (
            KeyPerson.objects.filter(inside, status=KeyPersonStatus.ACTIVE, helpers=user)
            .exclude(region_label)
            .values("region_path", "category__code")
            .annotate(n=Count("id", distinct=True))
            .order_by()
        )
        for kr in extra_kps:
            code = unit_of(kr["region_path"])
            add(code, "key_persons", kr["n"])
            if code in rows:
                per = rows[code]["by_category"]
                per[kr["category__code"]] = per.get(kr["category__code"], 0) + kr["n"]
        tasks_label = visible_q(actor, sensitivity_field="key_person__sensitivity")
        extra_tasks = rollup.task_figures(
            VisitTask.objects.filter(inside)
            .filter(Q(key_person__helpers=user) | Q(assignee=user))
            .exclude(tasks_label),
            day,
            since,
            distinct=True,
        ).values("region_path")
        for tr in extra_tasks:
            code = unit_of(tr["region_path"])
            for f in ("due", "overdue", "done", "missed"):
                add(code, f"visits_{f}", tr[f])
    return _assemble(region, by_code, rows, cats, day, since)


__all__ = ["EXPIRING_DAYS", "FIGURES", "counts", "direct_counts"]
