"""The workbench (`/`): one section per role the user holds.

Dispatchers get their centre's queue with tabs, filters and bulk accept; handlers their
department's inbox; grid workers and leaders their reports and what awaits verification;
leaders an overview of their region; the three administrators a pointer to the back office.
Sections reload on their own through htmx (`?section=queue`, `?section=dept-<id>`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.access.actor import actor_of
from pingan.analytics import kpis
from pingan.analytics import selectors as stats
from pingan.core import clock
from pingan.core.errors import DomainError, Invalid
from pingan.core.params import parse_int
from pingan.events import queue as queue_rules
from pingan.events.choices import DeadlineState, Status
from pingan.events.deadlines import binding_due, state_at
from pingan.events.models import OPEN_STATUSES, Event
from pingan.events.partitions import closed_months_q
from pingan.events.selectors import EventFilters, event_count, event_list
from pingan.events.services import event_transition
from pingan.events.supervision import supervision_counts
from pingan.geo.models import Region
from pingan.org.choices import ADMIN_ROLES, GRID_ROLES, Role
from pingan.org.models import Department
from pingan.org.selectors import memberships_of, user_roles
from pingan.web import tabs
from pingan.web.views.lists import error_text, filter_form, filter_params, filters_from, paginate

MAX_BULK = 200
SHORT_LIST = 10


# One tab of a work list (a key for the URL, a label, and the filters it adds).
Tab = tabs.Tab


QUEUE_TABS = tabs.QUEUE_TABS
TAB_COUNT_CAP = tabs.TAB_COUNT_CAP


@dataclass
class TabCount:
    key: str
    label: Any
    count: int
    active: bool

    @property
    def shown(self) -> str:
        return f"{TAB_COUNT_CAP}+" if self.count > TAB_COUNT_CAP else str(self.count)


# ---- dispatcher ---------------------------------------------------------------------


@dataclass
class Queue:
    """What the dispatcher's queue section shows."""

    centres: list[Region]
    centre: str
    tabs: list[TabCount]
    tab: Tab
    form: Any
    page: Page | None
    error: str = ""
    result: dict[str, Any] | None = None
    selectable: bool = False
    # The tab is a queue (待受理, 待派遣): its rows are sortable, urgent first by default.
    sortable: bool = False
    sort: str = queue_rules.DEFAULT_SORT

    @property
    def sort_links(self) -> dict[str, str]:
        return queue_rules.sort_links(self.sort)


def dispatcher_queue(request: HttpRequest, result: dict[str, Any] | None = None) -> Queue:
    """The queue of the chosen centre (default: the user's first), for the chosen tab,
    narrowed by the filter form; counts per tab over the whole queue."""
    user = request.user
    centres = queue_rules.dispatcher_centres(user)
    centre = request.GET.get("centre") or (str(centres[0].pk) if centres else "all")
    if centre != "all" and centre not in {str(c.pk) for c in centres}:
        centre = str(centres[0].pk) if centres else "all"
    queue_region = None if centre == "all" else int(centre)
    tab = tabs.pick(QUEUE_TABS, request.GET.get("tab"))

    params = filter_params(request.GET)
    for name in ("status", "queue_region", "department", "assignment_status", "reporter"):
        params.pop(name, None)
    error = ""
    try:
        base = filters_from(params)
    except Invalid as exc:
        error = error_text(exc)
        base = EventFilters()
    base.queue_region = queue_region
    whole_queue = EventFilters(queue_region=queue_region)
    counts = [
        TabCount(t.key, t.label, n, t == tab)
        for t, n in zip(QUEUE_TABS, tabs.tab_counts(user, whole_queue, QUEUE_TABS), strict=True)
    ]
    tab_filters = tabs.tab_filters(base, tab)
    qs = event_list(user=user, filters=tab_filters)
    recent_first = tab_filters.recent_first
    sortable = queue_rules.is_queue(tab.status)
    sort = queue_rules.DEFAULT_SORT
    try:
        sort = queue_rules.parse_sort(request.GET.get("sort"))
    except Invalid as exc:
        error = error or error_text(exc)
    if sortable:
        # A backlog (hundreds of rows): any order is cheap; the newest-first shortcut
        # through the recent months does not apply.
        qs = queue_rules.ordered(qs, sort)
        recent_first = False
    if error:
        qs = qs.none()
    page = paginate(request, qs, recent_first=recent_first)
    return Queue(
        centres=centres,
        centre=centre,
        tabs=counts,
        tab=tab,
        form=filter_form(user, request.GET),
        page=page,
        error=error,
        result=result,
        selectable=tab.key == "reported",
        sortable=sortable,
        sort=sort,
    )


@login_required
@require_POST
def bulk_accept(request: HttpRequest) -> HttpResponse:
    """Accept each selected event in turn; report how many succeeded and why others failed
    (with htmx: the redrawn queue, or only the report when `from=list`)."""
    raw = request.POST.getlist("ids")
    ids: list[int] = []
    bad: list[dict[str, str]] = []
    for value in raw[:MAX_BULK]:
        try:
            event_id = parse_int(value, "ids")
        except Invalid:
            event_id = None
        if event_id is None:
            bad.append({"code": value, "reason": _("编号不正确")})
        else:
            ids.append(event_id)
    codes = {e.pk: e.code for e in event_list(user=request.user).filter(pk__in=ids)}
    accepted: list[str] = []
    for event_id in dict.fromkeys(ids):
        try:
            event = event_transition(actor=actor_of(request), event_id=event_id, action="accept")
        except DomainError as exc:
            bad.append({"code": codes.get(event_id, f"#{event_id}"), "reason": exc.message})
        else:
            accepted.append(event.code)
    result = {"accepted": accepted, "failed": bad, "none_selected": not raw}
    if getattr(request, "htmx", False) and request.POST.get("from") == "list":
        # From the event list's keyboard (queue-keys.js): what happened; the page redraws
        # its own list.
        response = render(request, "web/includes/bulk_result.html", {"result": result})
        response["HX-Trigger"] = "events-changed"
        return response
    if getattr(request, "htmx", False):
        queue = dispatcher_queue(request, result)
        response = render(request, "web/workbench.html#queue", {"queue": queue})
        response["HX-Trigger"] = "events-changed"
        return response
    if not raw:
        messages.warning(request, _("请先勾选要受理的事件"))
    if accepted:
        messages.success(request, _("已受理 %(n)d 件") % {"n": len(accepted)})
    for item in bad:
        messages.error(
            request,
            _("%(code)s 未受理：%(reason)s") % {"code": item["code"], "reason": item["reason"]},
        )
    query = request.POST.get("query", "").lstrip("?")
    return HttpResponseRedirect(reverse("workbench") + (f"?{query}" if query else ""))


# ---- handler ------------------------------------------------------------------------


@dataclass
class Inbox:
    """One department's inbox section."""

    department: Department
    tabs: list[TabCount]
    tab: Tab
    page: Page

    @property
    def section(self) -> str:
        return f"dept-{self.department.pk}"

    @property
    def anchor(self) -> str:
        return f"inbox-{self.department.pk}"

    @property
    def target(self) -> str:
        return f"#{self.anchor}"


def _handler_departments(user: Any) -> list[Department]:
    seen: dict[int, Department] = {}
    for m in memberships_of(user):
        if m.role == Role.HANDLER and m.department is not None:
            seen.setdefault(m.department.pk, m.department)
    return list(seen.values())


def department_inbox(request: HttpRequest, department: Department) -> Inbox:
    """The department's assignments by tab (to acknowledge, in progress, overdue, done)."""
    user = request.user
    # Count and list from the same function (pingan.web.tabs): they cannot disagree.
    tab = tabs.pick(tabs.INBOX_TABS, request.GET.get("htab"))
    base = EventFilters(department=department.pk)
    counts = [
        TabCount(t.key, t.label, tabs.tab_count(user, base, t), t == tab) for t in tabs.INBOX_TABS
    ]
    page = paginate(
        request,
        tabs.tab_events(user, base, tab),
        recent_first=tabs.tab_filters(base, tab).recent_first,
    )
    return Inbox(department=department, tabs=counts, tab=tab, page=page)


# ---- grid worker / grid leader -------------------------------------------------------


def _short(qs: Any, n: int = SHORT_LIST) -> list[Event]:
    rows = list(qs[:n])
    for e in rows:
        e.live_deadline = state_at(e)
        e.live_due = binding_due(e)  # type: ignore[attr-defined]
    return rows


@dataclass
class GridSection:
    """A grid worker's own reports and the resolved events awaiting verification."""

    my_reports: list[Event]
    my_reports_total: int
    to_verify: list[Event]
    grids: list[Region] = field(default_factory=list)


def grid_section(request: HttpRequest) -> GridSection:
    """My latest reports, and events resolved in my grids waiting for me to verify."""
    user = request.user
    mine = EventFilters(reporter=user.pk)
    grids = [
        m.region for m in memberships_of(user) if m.role in GRID_ROLES and m.region is not None
    ]
    to_verify: dict[int, Event] = {}
    for region in grids:
        f = EventFilters(status=[Status.RESOLVED], region=region.pk)
        for e in _short(event_list(user=user, filters=f), 50):
            to_verify.setdefault(e.pk, e)
    return GridSection(
        my_reports=_short(event_list(user=user, filters=mine)),
        my_reports_total=event_count(user=user, filters=mine),
        to_verify=sorted(to_verify.values(), key=lambda e: e.resolved_at or e.reported_at),
        grids=grids,
    )


# ---- leader -------------------------------------------------------------------------


@dataclass
class Overview:
    """A leader's figures for their region, this month and now."""

    month_start: dt.date
    total_month: int
    open_now: int
    overdue_now: int
    closed_month: int
    # The closure rate of this month's reports, with its parts (closed ÷ accepted among
    # the events reported this month; 本月办结 above counts closures of any report month).
    accepted_of_month: int
    closed_of_month: int
    closure_rate: float | None
    overdue: list[Event]

    @property
    def closure_rate_text(self) -> str:
        return kpis.format_value("closure_rate", self.closure_rate)


def _status_counts(
    user: Any, month_start: dt.date, this_month: EventFilters
) -> tuple[int, int, int, int]:
    """(reported since the month started, of them accepted or beyond, of them closed;
    open now): from the rollups when the leader's whole region is the question (as on
    the dashboard), otherwise counted from the events."""
    basis = stats.basis_for(user, None)
    if basis.rollup:
        # Every month's rows in one read (whole months: a month's rows carry its first day).
        ever = stats.grouped_rows(basis, None, None, ("day", "status"))
        month = [r for r in ever if r["day"] >= month_start]
        return (
            sum(r["n"] for r in month),
            sum(r["n"] for r in month if r["status"] in kpis.ACCEPTED_OR_BEYOND),
            sum(r["n"] for r in month if r["status"] == Status.CLOSED),
            sum(r["n"] for r in ever if r["status"] in OPEN_STATUSES),
        )
    accepted = [s for s in Status.values if s in kpis.ACCEPTED_OR_BEYOND]
    return (
        event_count(user=user, filters=this_month),
        event_count(user=user, filters=dataclasses.replace(this_month, status=accepted)),
        event_count(user=user, filters=dataclasses.replace(this_month, status=[Status.CLOSED])),
        event_count(user=user, filters=EventFilters(status=list(OPEN_STATUSES))),
    )


def leader_overview(request: HttpRequest) -> Overview:
    """Counts within the leader's scope: reported this month, open, overdue, closed this
    month, closure rate (closed ÷ accepted among this month's reports), the overdue list."""
    user = request.user
    now = timezone.localtime(clock.now())
    month_start = now.date().replace(day=1)
    month_start_at = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    this_month = EventFilters(reported_from=month_start)
    total_month, accepted_month, closed_of_month, open_now = _status_counts(
        user, month_start, this_month
    )
    overdue_f = EventFilters(deadline_state=DeadlineState.OVERDUE)
    closed_month = (
        event_list(user=user, filters=EventFilters(status=[Status.CLOSED]))
        .filter(closed_months_q(month_start_at), closed_at__gte=month_start_at)
        .count()
    )
    return Overview(
        month_start=month_start,
        total_month=total_month,
        open_now=open_now,
        overdue_now=event_count(user=user, filters=overdue_f),
        closed_month=closed_month,
        accepted_of_month=accepted_month,
        closed_of_month=closed_of_month,
        closure_rate=kpis.rate(closed_of_month, accepted_month),
        overdue=_short(event_list(user=user, filters=overdue_f), 20),
    )


# ---- the page -----------------------------------------------------------------------


def _list_url(**params: Any) -> str:
    return reverse("event_list") + "?" + urlencode(params)


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """The signed-in user's workbench; `?section=` with htmx returns that section only."""
    user = request.user
    roles = user_roles(user)
    section = request.GET.get("section", "") if getattr(request, "htmx", False) else ""
    if section == "queue" and Role.DISPATCHER in roles:
        return render(request, "web/workbench.html#queue", {"queue": dispatcher_queue(request)})
    if section.startswith("dept-") and Role.HANDLER in roles:
        for d in _handler_departments(user):
            if section == f"dept-{d.pk}":
                inbox = department_inbox(request, d)
                return render(request, "web/workbench.html#inbox", {"inbox": inbox})

    if roles == {Role.INSPECTOR}:
        # An inspector's work is the inspections assigned to them (docs/inspections.md).
        return redirect("inspections_home")
    context: dict[str, Any] = {"nav_active": "workbench", "roles": roles}
    if Role.DISPATCHER in roles:
        context["queue"] = dispatcher_queue(request)
    if Role.HANDLER in roles:
        context["inboxes"] = [department_inbox(request, d) for d in _handler_departments(user)]
    if roles & GRID_ROLES:
        context["grid"] = grid_section(request)
        context["my_reports_url"] = _list_url(reporter=user.pk)
    if Role.LEADER in roles:
        overview = leader_overview(request)
        context["overview"] = overview
        context["overview_links"] = {
            "month": _list_url(reported_from=overview.month_start.isoformat()),
            "open": _list_url(status=",".join(OPEN_STATUSES)),
            "overdue": _list_url(deadline_state=DeadlineState.OVERDUE),
            "closed": _list_url(status=Status.CLOSED),
        }
    if roles & {Role.DISPATCHER, Role.HANDLER, Role.LEADER}:
        context["supervision"] = supervision_counts(user)  # 督办件: open / overdue
    context["is_admin"] = bool(roles & ADMIN_ROLES)
    return render(request, "web/workbench.html", context)
