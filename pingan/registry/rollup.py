"""The registers' figures kept per grid (`GridCount`), so that the figures of a town or a
county add up a few hundred rows instead of counting millions of persons
(docs/registry.md, "Figures").

One row per grid path × sensitivity label × key-person category ("" for the persons'
row): persons present, new residents, permits expiring within 30 days (persons' rows);
active key persons and their visit tasks due, overdue, done and missed this month
(categories' rows). Each row holds the day its date-dependent figures were counted for.

Kept current in the same transaction as every write of the registry services: a write
marks the grid(s) it touched (`mark`, called by the history writer) and `tracking()` — the
services' transaction — recounts them at its end (`recount`: four indexed aggregates
over one grid, `region_path = grid`). `rebuild()` recounts a whole subtree in four
grouped aggregates: the daily job (after `visit_tasks_generate`: "expiring", "overdue"
and "missed" move with the date) and whoever writes persons in bulk (the demo, the
importer: `rollup_rebuild(region)`).

Every grid recounted gets its marker row (sensitivity "" and category "", zeros
included), so a reader can tell a grid counted today from one never counted.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from pingan.core import clock
from pingan.geo import scope as paths
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.registry.choices import KeyPersonStatus, PermitStatus, PersonKind, PersonStatus
from pingan.registry.models import GridCount, KeyPerson, Person, ResidencePermit, VisitTask

EXPIRING_DAYS = 30
COUNTS = (
    "persons",
    "new_residents",
    "permits_expiring",
    "key_persons",
    "visits_due",
    "visits_overdue",
    "visits_done",
    "visits_missed",
)

Key = tuple[str, str, str]  # (region_path, sensitivity, category code)


def _today() -> dt.date:
    return timezone.localdate(clock.now())


# ---- the tally (shared by the per-grid recount and the rebuild) -------------------------------


def tally(where: Q, day: dt.date) -> dict[Key, dict[str, int]]:
    """The figures of the rows matching `where` (a filter on `region_path`), by grid path,
    sensitivity label and category, as of `day` (done/missed: from the first of its
    month). No scope: everything."""
    since = day.replace(day=1)
    out: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    persons = (
        Person.objects.filter(where, status=PersonStatus.PRESENT)
        .values("region_path", "sensitivity")
        .annotate(n=Count("id"), new=Count("id", filter=Q(kind=PersonKind.NEW_RESIDENT)))
        .order_by()
    )
    for r in persons:
        row = out[(r["region_path"], r["sensitivity"], "")]
        row["persons"] += r["n"]
        row["new_residents"] += r["new"]
    permits = (
        ResidencePermit.objects.filter(
            where,
            status=PermitStatus.ISSUED,
            expires_on__gte=day,
            expires_on__lte=day + dt.timedelta(days=EXPIRING_DAYS),
        )
        .values("region_path", "person__sensitivity")
        .annotate(n=Count("id"))
        .order_by()
    )
    for pr in permits:
        out[(pr["region_path"], pr["person__sensitivity"], "")]["permits_expiring"] += pr["n"]
    kps = (
        KeyPerson.objects.filter(where, status=KeyPersonStatus.ACTIVE)
        .values("region_path", "sensitivity", "category__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    for kr in kps:
        out[(kr["region_path"], kr["sensitivity"], kr["category__code"])]["key_persons"] += kr["n"]
    for r in task_figures(VisitTask.objects.filter(where), day, since).values(
        "region_path", "key_person__sensitivity", "key_person__category__code"
    ):
        row = out[(r["region_path"], r["key_person__sensitivity"], r["key_person__category__code"])]
        for f in ("due", "overdue", "done", "missed"):
            row[f"visits_{f}"] += r[f]
    return out


def task_figures(qs: Any, day: dt.date, since: dt.date, *, distinct: bool = False) -> Any:
    """`qs` (visit tasks) grouped by the caller's `.values(...)` with due, overdue, done
    and missed counted; call `.values(...)` on the result to group."""
    open_ = Q(done_at__isnull=True, cancelled_at__isnull=True)
    fig = {
        "due": open_ & Q(opens_on__lte=day),
        "overdue": open_ & Q(due_on__lt=day),
        "done": Q(done_at__isnull=False, due_on__gte=since, due_on__lte=day),
        "missed": Q(missed=True, due_on__gte=since, due_on__lte=day),
    }

    class _Grouped:
        def values(self, *fields: str) -> Any:
            return (
                qs.values(*fields)
                .annotate(**{k: Count("id", filter=q, distinct=distinct) for k, q in fig.items()})
                .order_by()
            )

    return _Grouped()


def _write(keys: dict[Key, dict[str, int]], grids: Iterable[str], day: dt.date) -> None:
    """Replace the rows of `grids` by `keys` (plus a marker row per grid)."""
    grids = list(grids)
    rows = dict(keys)
    for g in grids:
        rows.setdefault((g, "", ""), dict.fromkeys(COUNTS, 0))
    objs = [
        GridCount(region_path=p, sensitivity=s, category=c, day=day, **figs)
        for (p, s, c), figs in rows.items()
        if (c == "" and s == "") or any(figs.values())
    ]
    GridCount.objects.filter(region_path__in=grids).delete()
    GridCount.objects.bulk_create(objs, batch_size=1000)


def _lock(grid_paths: list[str]) -> None:
    """Serialise recounts of the same grid (one writer replaces its rows at a time)."""
    list(
        Region.objects.select_for_update()
        .filter(path__in=sorted(grid_paths))
        .order_by("path")
        .values_list("pk", flat=True)
    )


def recount(grid_paths: Iterable[str], day: dt.date | None = None) -> None:
    """Recount the given grids now (inside the caller's transaction)."""
    grid_paths = sorted({p for p in grid_paths if p})
    if not grid_paths:
        return
    day = day or _today()
    with transaction.atomic():
        _lock(grid_paths)
        _write(tally(Q(region_path__in=grid_paths), day), grid_paths, day)


def grids_under(region: Region | None) -> Any:
    qs = Region.objects.filter(level=Level.GRID)
    if region is not None:
        qs = qs.filter(paths.within_q("path", (region.path,)))
    return qs


def rebuild(region: Region | None = None, day: dt.date | None = None) -> int:
    """Recount every grid under `region` (all when None) in one transaction; the number
    of grids. The daily job and bulk writers call it."""
    day = day or _today()
    with transaction.atomic():
        grid_paths = list(grids_under(region).values_list("path", flat=True))
        _lock(grid_paths)
        where = Q() if region is None else paths.within_q("region_path", (region.path,))
        keys = tally(where, day)
        stale = GridCount.objects.all()
        if region is not None:
            stale = stale.filter(paths.within_q("region_path", (region.path,)))
        stale.delete()
        known = set(grid_paths)
        extra = {p for p, _s, _c in keys if p not in known}
        _write(keys, [*grid_paths, *sorted(extra)], day)
    return len(grid_paths)


rollup_rebuild = rebuild


# ---- keeping it current in the services' transactions ------------------------------------------

_state = threading.local()


def _marks() -> tuple[int, set[str]]:
    return getattr(_state, "depth", 0), getattr(_state, "paths", set())


@contextmanager
def tracking() -> Iterator[None]:
    """`transaction.atomic()` that recounts the grids marked inside it before it ends
    (outermost block only): the figures change in the same transaction as the data."""
    depth, marked = _marks()
    if depth == 0:
        marked = set()
        _state.paths = marked
    _state.depth = depth + 1
    try:
        with transaction.atomic():
            yield
            if depth == 0 and marked:
                recount(marked)
    finally:
        _state.depth = depth
        if depth == 0:
            _state.paths = set()


def mark(*grid_paths: str | None) -> None:
    """The grid(s) a write touched: recounted at the end of the `tracking()` block, or
    now when there is none."""
    depth, marked = _marks()
    wanted = [p for p in grid_paths if p]
    if depth:
        marked.update(wanted)
    else:
        recount(wanted)


def fresh(region: Region, day: dt.date) -> bool:
    """Whether every grid under `region` (or `region` itself, a grid) was counted for
    `day`."""
    grids = grids_under(region).count() if region.level != Level.GRID else 1
    counted = GridCount.objects.filter(
        paths.within_q("region_path", (region.path,)), sensitivity="", category="", day=day
    ).count()
    return counted >= grids


__all__ = [
    "COUNTS",
    "EXPIRING_DAYS",
    "fresh",
    "grids_under",
    "mark",
    "rebuild",
    "recount",
    "rollup_rebuild",
    "tally",
    "tracking",
]
