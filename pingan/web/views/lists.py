"""Event list and search (`/events/`), and the helpers the workbench lists share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple, TypedDict

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from pingan.access.actor import Actor, actor_of, as_actor
from pingan.core.errors import Invalid, invalid
from pingan.events import queue as queue_rules
from pingan.events.choices import AssignmentStatus, DeadlineState, Status, Urgency
from pingan.events.deadlines import binding_due, state_at
from pingan.events.models import Event
from pingan.events.search import EVENT_CODE
from pingan.events.selectors import (
    EventFilters,
    category_list,
    event_list,
    for_table,
    newest_first_rows,
    recent_part,
)
from pingan.geo.models import Region
from pingan.org.models import Department
from pingan.web.forms import EventFilterForm
from pingan.web.tabs import filter_towns

PAGE_SIZE = 20
# Parameters that take several values: `?status=a&status=b` and `?status=a,b` mean the same.
LIST_PARAMS = ("status", "source", "assignment_status")
FILTER_NAMES = (
    "q",
    "status",
    "category",
    "region",
    "source",
    "deadline_state",
    "deadline_mark",
    "department",
    "assignment_status",
    "reported_from",
    "reported_to",
    "reporter",
    "queue_region",
)


def filter_params(query: QueryDict) -> dict[str, str]:
    """The filter parameters of a request as one string each (lists joined by commas)."""
    out: dict[str, str] = {}
    for key in FILTER_NAMES:
        values = [v.strip() for v in query.getlist(key) if v.strip()]
        if not values:
            continue
        out[key] = ",".join(values) if key in LIST_PARAMS else values[-1]
    return out


def filters_from(params: dict[str, str]) -> EventFilters:
    """EventFilters from page parameters, including the department's assignment status
    (which `EventFilters.from_params` leaves to the caller). Bad values → Invalid."""
    f = EventFilters.from_params(params)
    raw = [v for v in params.get("assignment_status", "").split(",") if v]
    for v in raw:
        if v not in AssignmentStatus.values:
            raise invalid("assignment_status", _("不支持的取值：%(value)s") % {"value": v})
    f.assignment_status = raw
    return f


def error_text(exc: Invalid) -> str:
    """One line naming each bad field (by its Chinese label) and the reason."""
    labels = {name: str(field.label) for name, field in EventFilterForm.base_fields.items()}
    labels.update({"reporter": _("上报人"), "queue_region": _("受理中心"), "sort": _("排序")})
    parts = [f"{labels.get(k, k)}：{v}" for k, v in exc.fields.items()]
    return "；".join(parts) or exc.message


# Counting every match of a county's list over millions of events costs seconds; lists
# count up to this many, show "2000+" and offer that many events (100 pages): a deep
# page costs as many rows as it skips (docs/performance.md, "Lists at scale").
COUNT_CAP = 2_000
# A word search counts less far (10 pages): a common word (噪音) matches tens of
# thousands of a county's events. Counting to 200 is a scan that stops early, the same
# work at any table size; counting to 1,000 already made PostgreSQL intersect the word's
# index entries with every entry of the county's region range, which grows with the table.
SEARCH_COUNT_CAP = 200


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` + 1 rows (one LIMITed subquery of ids)."""

    object_list: QuerySet[Any]

    def __init__(
        self, object_list: Any, per_page: int, cap: int | None = None, recent_first: bool = True
    ) -> None:
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap
        self.recent_first = recent_first

    def count_query(self, qs: QuerySet[Any] | None = None) -> QuerySet[Any]:
        # Only the ids: the joins of select_related have no place in a count.
        qs = self.object_list if qs is None else qs
        return qs.order_by().values("pk")[: self.cap + 1]

    @cached_property
    def count(self) -> int:
        # The recent months alone may already hold more than the cap (a county's list).
        recent = recent_part(self.object_list) if self.recent_first else None
        n = self.count_query(recent).count() if recent is not None else 0
        if n <= self.cap:
            n = self.count_query().count()
        self._capped = n > self.cap
        return min(n, self.cap)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = newest_first_rows(self.object_list, bottom, top, recent_first=self.recent_first)
        return Page(rows, number, self)

    @property
    def capped(self) -> bool:
        """More events match than were counted: the pages stop at `cap` events (a
        deeper page shows the last one), and the pager says so."""
        return self.count >= self.cap and self._capped

    @property
    def count_display(self) -> str:
        return f"{self.count}+" if self.capped else str(self.count)


_URL_MARK = 987654321


def detail_url_maker() -> Callable[[int], str]:
    """`pk → reverse("event_detail", args=[pk])` at the cost of one reverse per list
    instead of two per row (a `{% url %}` costs ~50 µs; docs/performance.md)."""
    pattern = reverse("event_detail", args=[_URL_MARK])
    mark = str(_URL_MARK)
    return lambda pk: pattern.replace(mark, str(pk))


def paginate(
    request: HttpRequest,
    qs: QuerySet[Event],
    size: int | None = None,
    cap: int | None = None,
    *,
    recent_first: bool = True,
) -> Page:
    """The requested page of `qs`, each row carrying its live deadline state.
    `recent_first`: see `EventFilters.recent_first`."""
    paginator = CappedPaginator(for_table(qs), size or PAGE_SIZE, cap, recent_first)
    page = paginator.get_page(request.GET.get("page"))
    detail_url = detail_url_maker()
    for event in page.object_list:
        event.detail_url = detail_url(event.pk)  # type: ignore[attr-defined]
        event.live_deadline = state_at(event)  # type: ignore[attr-defined]
        event.live_due = binding_due(event)  # type: ignore[attr-defined]
    # Reported rows: how long they have waited and their acceptance light.
    queue_rules.mark_rows(page.object_list)
    dress_rows(page.object_list)
    return page


class Light(TypedDict):
    """A row's deadline cell: the light's state and word (正常 / 临期 / 超期, "" for
    none), the deadline as written, and whether it is the acceptance clock. A dict: the
    template engine tries `light["state"]` before an attribute, so a dict answers first."""

    state: str
    word: str
    due_text: str
    accept: bool


def _minute(value: dt.datetime) -> str:
    """「2026-12-07 09:30」 in the current time zone (the `date:"Y-m-d H:i"` filter)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def dress_rows(rows: Any) -> None:
    """What each row of web/includes/event_table.html shows, written once in Python: the
    labels of urgency and status, the report time, the deadline cell (`Light`) and the
    waiting text: the same text the template's filters made (`get_FOO_display`, `date`,
    `deadline_word`, `blocktranslate`), which per row were the largest part of a list
    page's template CPU (docs/performance.md, "Cost of one request")."""
    urgency = {v: str(label) for v, label in Urgency.choices}
    status = {v: str(label) for v, label in Status.choices}
    words = {v: str(label) for v, label in DeadlineState.choices}
    for e in rows:
        e.urgency_label = urgency.get(e.urgency, e.urgency)
        e.status_label = status.get(e.status, e.status)
        local = timezone.localtime(e.reported_at)
        e.reported_text = local.strftime("%Y-%m-%d %H:%M")
        e.reported_iso = local.isoformat()
        waiting = e.waiting
        e.waiting_text = waiting.text if waiting else ""
        if waiting is not None and waiting.due_at is not None:
            state, due, accept = waiting.state, waiting.due_at, True
        else:
            due_pair = e.live_due
            state, due, accept = e.live_deadline or "", due_pair[1] if due_pair else None, False
        e.light = Light(
            state=state,
            word=words.get(state, ""),
            due_text=_minute(due) if due else "",
            accept=accept,
        )


def towns_for(actor: Actor | Any) -> list[Region]:
    """Towns a filter may offer the actor: the towns where they can see events
    (`pingan.web.tabs.filter_towns`)."""
    return filter_towns(actor)


class Choice(NamedTuple):
    """What the filter form shows of a category or a department."""

    pk: int
    name: str
    parent_id: int | None = None


def filter_form(actor: Actor | Any, data: dict[str, str] | QueryDict) -> EventFilterForm:
    """The filter form. Its category and department options are read as (id, name)
    pairs: the same rows and order as `category_list()` and `org.selectors.department_list`
    (every signed-in user may see the directory), without building ~250 model instances
    and their related rows on every list page (docs/performance.md, "Cost of one request")."""
    actor = as_actor(actor)
    categories = category_list().values_list("pk", "name", "parent_id")
    departments = Department.objects.filter(is_active=True).values_list("pk", "name")
    return EventFilterForm(
        data,
        categories=[Choice(*row) for row in categories],
        regions=towns_for(actor),
        departments=[Choice(*row) for row in departments],
    )


@login_required
def event_list_page(request: HttpRequest) -> HttpResponse:
    """All events in the actor's scope, filtered by GET parameters, paginated."""
    actor = actor_of(request)
    params = filter_params(request.GET)
    error = ""
    cap = None
    recent_first = True
    sortable = False
    sort = queue_rules.DEFAULT_SORT
    try:
        filters = filters_from(params)
        sort = queue_rules.parse_sort(request.GET.get("sort"))
        qs = event_list(user=actor, filters=filters)
        recent_first = filters.recent_first
        if filters.q and not EVENT_CODE.fullmatch(filters.q):
            cap = SEARCH_COUNT_CAP
        # The waiting list (待受理, 待派遣) is a backlog: urgent first, sortable. Other lists
        # stay newest first (sorting millions of rows by region would read them all).
        sortable = queue_rules.is_queue(filters.status)
        if sortable:
            qs = queue_rules.ordered(qs, sort)
            recent_first = False
    except Invalid as exc:
        error = error_text(exc)
        qs = event_list(user=actor).none()
    page = paginate(request, qs, cap=cap, recent_first=recent_first)
    context = {
        "nav_active": "events",
        "form": filter_form(actor, request.GET),
        "page": page,
        "error": error,
        "params": params,
        "sortable": sortable,
        "sort": sort,
        "sort_links": queue_rules.sort_links(sort),
    }
    template = "web/event_list.html"
    if getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        template += "#results"
    return render(request, template, context)
