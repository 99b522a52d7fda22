"""Reads of events, always through the caller's scope (`permissions.event_scope_q`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor
from pingan.core import clock
from pingan.core.errors import NotFound, invalid
from pingan.core.params import parse_date, parse_int
from pingan.core.pii import blind_index, validate_phone
from pingan.events.choices import DeadlineState, Source, Status
from pingan.events.models import (
    CLOCKED_STATUSES,
    OPEN_STATUSES,
    Assignment,
    Attachment,
    Category,
    Event,
    EventTransition,
)
from pingan.events.partitions import keys_q, open_months_q
from pingan.events.permissions import access_event, event_scope_q
from pingan.events.search import text_q
from pingan.geo.models import Region
from pingan.geo.scope import within_q


@dataclass
class EventFilters:
    """The filters every event list (page, API, export, count) accepts."""

    status: list[str] = field(default_factory=list)
    category: int | None = None
    region: int | None = None
    source: list[str] = field(default_factory=list)
    q: str = ""
    reported_from: dt.date | None = None
    reported_to: dt.date | None = None
    deadline_state: str = ""
    # The deadline mark the sweeper stored on an open event (the statistics' calibre:
    # the overdue figure counts these); `deadline_state` is the live clock.
    deadline_mark: str = ""
    queue_region: int | None = None
    department: int | None = None
    assignment_status: list[str] = field(default_factory=list)
    reporter: int | None = None
    reporter_phone: str = ""

    @property
    def recent_first(self) -> bool:
        """Whether the list's newest rows are worth asking of the recent months first
        (`newest_first_rows`): not for the deadline lists, whose events are mostly older
        and are found through the open-events due-date index instead."""
        return not (self.deadline_state or self.deadline_mark)

    @classmethod
    def from_params(cls, params: Any) -> EventFilters:
        """Parse query parameters (a QueryDict or a dict); bad values → 422 naming the field."""

        def get(name: str) -> str:
            value = params.get(name)
            return "" if value is None else str(value).strip()

        def as_int(name: str) -> int | None:
            return parse_int(get(name), name)

        def as_date(name: str) -> dt.date | None:
            return parse_date(get(name), name)

        def as_list(name: str, allowed: list[str]) -> list[str]:
            raw = get(name)
            values = [v for v in raw.split(",") if v]
            for v in values:
                if v not in allowed:
                    raise invalid(name, gettext("不支持的取值：%(value)s") % {"value": v})
            return values

        deadline_state = get("deadline_state")
        if deadline_state and deadline_state not in DeadlineState.values:
            raise invalid("deadline_state", gettext("应为 normal、warning 或 overdue"))
        deadline_mark = get("deadline_mark")
        if deadline_mark and deadline_mark not in DeadlineState.values:
            raise invalid("deadline_mark", gettext("应为 normal、warning 或 overdue"))
        f = cls(
            status=as_list("status", list(Status.values)),
            category=as_int("category"),
            region=as_int("region"),
            source=as_list("source", list(Source.values)),
            q=get("q")[:100],
            reported_from=as_date("reported_from"),
            reported_to=as_date("reported_to"),
            deadline_state=deadline_state,
            deadline_mark=deadline_mark,
            queue_region=as_int("queue_region"),
            department=as_int("department"),
            reporter=as_int("reporter"),
            reporter_phone=get("reporter_phone"),
        )
        if f.reporter_phone:
            f.reporter_phone = validate_phone(f.reporter_phone, field="reporter_phone")
        if f.reported_from and f.reported_to and f.reported_from > f.reported_to:
            raise invalid("reported_to", gettext("结束日期不能早于开始日期"))
        return f


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def deadline_q(state: str, now: dt.datetime) -> Q:
    """Events whose live deadline light is `state` at `now` (a running clock only)."""
    open_clock = Q(status__in=CLOCKED_STATUSES, due_at__isnull=False)
    overdue = Q(due_at__lt=now) | Q(ack_due_at__lt=now)
    if state == DeadlineState.OVERDUE:
        return open_clock & overdue
    if state == DeadlineState.WARNING:
        return open_clock & Q(warn_at__lte=now) & ~overdue
    return open_clock & ~overdue & ~Q(warn_at__lte=now)


def apply_filters(qs: QuerySet[Event], f: EventFilters) -> QuerySet[Event]:
    """Narrow an already scoped queryset by the filters."""
    if f.status:
        qs = qs.filter(Q(status__in=f.status) & open_months_q(f.status))
    if f.category is not None:
        qs = qs.filter(Q(category_id=f.category) | Q(category__parent_id=f.category))
    if f.region is not None:
        region = Region.objects.filter(pk=f.region).only("path").first()
        if region is None:
            return qs.none()
        qs = qs.filter(within_q("region_path", [region.path]))
    if f.source:
        qs = qs.filter(source__in=f.source)
    if f.q:
        qs = qs.filter(text_q(f.q))
    if f.reported_from:
        qs = qs.filter(reported_at__gte=_day_start(f.reported_from))
    if f.reported_to:
        qs = qs.filter(reported_at__lt=_day_start(f.reported_to + dt.timedelta(days=1)))
    if f.deadline_state:
        qs = qs.filter(deadline_q(f.deadline_state, clock.now()) & open_months_q(CLOCKED_STATUSES))
    if f.deadline_mark:
        qs = qs.filter(
            Q(status__in=OPEN_STATUSES, deadline_state=f.deadline_mark)
            & open_months_q(OPEN_STATUSES)
        )
    if f.queue_region is not None:
        qs = qs.filter(queue_region_id=f.queue_region)
    if f.department is not None:
        statuses = f.assignment_status or None
        sub = Assignment.objects.filter(department_id=f.department)
        if statuses:
            sub = sub.filter(status__in=statuses)
        qs = qs.filter(pk__in=sub.values("event_id"))
    if f.reporter is not None:
        qs = qs.filter(reporter_id=f.reporter)
    if f.reporter_phone:
        # Exact match through the blind index: the phone itself is encrypted.
        qs = qs.filter(reporter_phone_index=blind_index(f.reporter_phone, kind="phone"))
    return qs


def event_list(*, user: Actor | Any, filters: EventFilters | None = None) -> QuerySet[Event]:
    """Events `user` may see, filtered, newest first, with what a list row shows."""
    qs = Event.objects.filter(event_scope_q(user))
    if filters is not None:
        qs = apply_filters(qs, filters)
    return (
        qs.select_related("category", "region", "lead_department", "reporter")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(role="assist")
                .exclude(status__in=["cancelled", "returned"])
                .select_related("department"),
                to_attr="assisting",
            )
        )
        .order_by("-reported_at", "-id")
    )


# What an event table's row does not show (web/includes/event_table.html and the
# deadline marks): the long texts and the reporter's personal fields, each of which would
# be decrypted on reading (AES-GCM) although no row prints it.
TABLE_DEFERRED = ("description", "address", "extra", "reporter_name", "reporter_phone",
                  "reporter_phone_index")  # fmt: skip


def for_table(qs: QuerySet[Event]) -> QuerySet[Event]:
    """`qs` (from `event_list`) reading only what a table row shows."""
    return (
        qs.select_related(None)
        .select_related("category", "region", "lead_department")
        .defer(*TABLE_DEFERRED)
    )


# Lists are newest first: their first pages lie in the last few months. Asked of those
# months' partitions first, PostgreSQL plans and reads a handful of partitions instead of
# all of them (docs/adr/0006-partitioning.md); only when they hold too few rows is the
# whole table asked.
RECENT_MONTHS = 3
NEWEST_FIRST = ("-reported_at", "-id")


def recent_part(qs: QuerySet[Event]) -> QuerySet[Event] | None:
    """`qs` restricted to the events reported since the first day of the month
    RECENT_MONTHS - 1 months ago (site time), when `qs` is ordered newest first: its
    first N rows are then `qs`'s first N rows whenever it has N rows at all. None for
    other orderings."""
    if tuple(qs.query.order_by) != NEWEST_FIRST:
        return None
    today = timezone.localdate(clock.now())
    year, month = today.year, today.month - (RECENT_MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return qs.filter(reported_at__gte=_day_start(dt.date(year, month, 1)))


def newest_first_rows(
    qs: QuerySet[Event], start: int, stop: int, *, recent_first: bool = True
) -> list[Event]:
    """`list(qs[start:stop])` for a list ordered newest first, read from the recent
    months when they hold the whole slice (one cheap statement), else from `qs`."""
    lookups = getattr(qs, "_prefetch_related_lookups", ())
    recent = recent_part(qs) if recent_first else None
    if recent is not None:
        # The related rows are fetched only for the slice that is kept.
        rows = list(recent.prefetch_related(None)[start:stop])
        if len(rows) == stop - start:
            _prefetch(rows, lookups)
            return rows
    # The whole table: the slice's ids first (no joins: PostgreSQL would join every
    # matching row before sorting out the page), then those events by their months.
    ids = list(qs.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    found = {e.pk: e for e in qs.filter(keys_q(ids)).prefetch_related(None).order_by()}
    rows = [found[pk] for pk in ids if pk in found]
    _prefetch(rows, lookups)
    return rows


def _prefetch(rows: list[Event], lookups: Any) -> None:
    """`prefetch_related_objects(rows, *lookups)`, except that a reported event (never
    dispatched: no transition leads back to 待受理) gets an empty list for a Prefetch of
    its assignments without a statement: a page of the acceptance queue reads none."""
    for lookup in lookups:
        if (
            isinstance(lookup, Prefetch)
            and lookup.prefetch_through == "assignments"
            and lookup.to_attr
        ):
            for e in rows:
                if e.status == Status.REPORTED:
                    setattr(e, lookup.to_attr, [])
            prefetch_related_objects([e for e in rows if e.status != Status.REPORTED], lookup)
        else:
            prefetch_related_objects(rows, lookup)


def event_count(
    *, user: Actor | Any, filters: EventFilters | None = None, cap: int | None = None
) -> int:
    """How many events `user` sees with the filters; with `cap`, at most cap + 1 (one
    LIMITed subquery: a tab that says "2000+" need not count a county's five years)."""
    qs = Event.objects.filter(event_scope_q(user))
    if filters is not None:
        qs = apply_filters(qs, filters)
    if cap is not None:
        return qs.order_by().values("pk")[: cap + 1].count()
    return qs.count()


def event_detail(*, user: Actor | Any, event_id: int, attachments: bool = True) -> Event:
    """One event with its timeline and assignments; 404 when missing or out of scope.
    `attachments=False` leaves out the timeline rows' photos (the API does not show them)."""
    return with_detail(access_event(user, event_id), attachments=attachments)


def with_detail(event: Event, *, attachments: bool = True) -> Event:
    """`event` (already read, in the caller's scope) with what `event_detail` adds: the
    timeline (`timeline_rows`, with their photos unless `attachments=False`), the
    assignments (`assignment_rows`) and the assisting ones still open (`assisting`).
    A write's answer passes the event its service returned instead of reading it again."""
    timeline = EventTransition.objects.filter(event=event).select_related("actor", "department")
    if attachments:
        timeline = timeline.prefetch_related("attachments")
    event.timeline_rows = list(timeline.order_by("at", "id"))  # type: ignore[attr-defined]
    event.assignment_rows = list(  # type: ignore[attr-defined]
        Assignment.objects.filter(event=event).select_related("department").order_by("-role", "id")
    )
    event.assisting = [  # type: ignore[attr-defined]
        a
        for a in event.assignment_rows  # type: ignore[attr-defined]
        if a.role == "assist" and a.status not in ("cancelled", "returned")
    ]
    return event


def attachment_detail(*, user: Actor | Any, event_id: int, attachment_id: int) -> Attachment:
    """One photo of an event the user may see; 404 when either is missing or out of scope."""
    event = access_event(user, event_id)
    found = Attachment.objects.filter(event=event, pk=attachment_id).first()
    if found is None:
        raise NotFound(gettext("照片不存在"))
    return found


def category_list() -> QuerySet[Category]:
    """Active categories, parents before children."""
    return (
        Category.objects.filter(is_active=True)
        .select_related("default_department")
        .order_by("parent_id", "sort", "code")
    )
