"""Every URL pattern and every API operation, for every role in two towns, against a
declared table: allowed, 403, 404 (out of scope) or a login (401 / redirect to sign in).

A pattern or operation missing from the table fails the test with the line to add.
To declare a new page: add its URL name to `PAGES` (method, outcome per user);
to declare a new API operation: add its operationId to `OPERATIONS`. Admin pages follow
`ADMIN_RULE` unless named in `PAGES`. Each request runs in a transaction that is rolled
back, so the users see the same state one after the other.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from PIL import Image

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import dispatched_to_police, report
from pingan.api.v1.router import api
from pingan.events.models import Event

# ---- the outcomes ---------------------------------------------------------------------

OK = "allowed"  # 2xx, a redirect that is not to the sign-in page, 409 or 422
LOGIN = "login"  # redirect to the sign-in page, or 401 from the API
F403 = "403"
F404 = "404"

USERS = (
    "anon",
    "gw",  # grid worker, town A (reported the event)
    "gl",  # grid leader, village in town A
    "gw_b",  # grid worker, town B
    "disp",  # dispatcher, town A
    "disp_b",  # dispatcher, town B
    "disp_c",  # dispatcher, county
    "h_police",  # handler, the department the event is dispatched to
    "h_market",  # handler, another department
    "leader",  # leader, county
    "leader_b",  # leader, town B
    "sysadmin",  # system administrator (staff)
)
CAST_ATTR = {
    "gw": "gridworker",
    "gl": "gridleader",
    "gw_b": "gridworker_b",
    "disp": "dispatcher",
    "disp_b": "dispatcher_b",
    "disp_c": "county_dispatcher",
    "h_police": "handler",
    "h_market": "handler_market",
    "leader": "leader",
    "leader_b": "leader_b",
    "sysadmin": "sysadmin",
}


def rule(default: str, **overrides: str) -> dict[str, str]:
    """An outcome for every user: `default`, except the named ones."""
    unknown = set(overrides) - set(USERS)
    assert not unknown, unknown
    return {u: overrides.get(u, default) for u in USERS}


SIGNED_IN = rule(OK, anon=LOGIN)
PUBLIC = rule(OK)
# The event of town A, dispatched to the police: who sees it, who gets 404.
EVENT_A = rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, h_police=OK, leader=OK)


@dataclass(frozen=True)
class Page:
    method: str
    expect: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    kwargs: dict[str, Any] = field(default_factory=dict)


# ---- the declared table: web pages (URL name → request and outcome per user) ---------------

PAGES: dict[str, Page] = {
    "healthz": Page("GET", PUBLIC),
    "set_language": Page("POST", PUBLIC, {"language": "zh-hans"}),
    "login": Page("GET", PUBLIC),
    "logout": Page("POST", PUBLIC),
    "workbench": Page("GET", SIGNED_IN),
    # Accepting selected events: the page answers every signed-in user and reports per
    # event what failed; the scope is enforced by the transition service.
    "bulk_accept": Page("POST", SIGNED_IN, {"ids": ["{event_reported}"]}),
    "event_list": Page("GET", SIGNED_IN),
    "inbox": Page("GET", SIGNED_IN),
    "inbox_read": Page("POST", SIGNED_IN),
    "event_export": Page("GET", SIGNED_IN),
    "export_requests": Page("GET", SIGNED_IN),
    "export_request_new": Page("POST", SIGNED_IN, {"reason": "月度分析"}),
    # Deciding the dispatcher's pending export request: the county leader only;
    # the requester is refused (403), everyone else does not see it (404).
    "export_request_decide": Page(
        "POST",
        rule(F404, anon=LOGIN, leader=OK, disp=F403),
        {"decision": "approve"},
        {"request_id": "{export_request}"},
    ),
    # Downloading it: only the requester (409 while it is pending).
    "export_request_download": Page(
        "GET", rule(F404, anon=LOGIN, disp=OK), kwargs={"request_id": "{export_request}"}
    ),
    "event_detail": Page("GET", EVENT_A, kwargs={"event_id": "{event}"}),
    # The action form: in scope → the form (or 409 when the role may not act now).
    "event_action": Page("GET", EVENT_A, kwargs={"event_id": "{event}", "action": "comment"}),
    # Showing the reporter's contact: dispatchers of the region, the assigned department.
    "event_contact": Page(
        "POST",
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            leader=F403,
            disp=OK,
            disp_c=OK,
            h_police=OK,
        ),
        kwargs={"event_id": "{event}"},
    ),
    "event_report": Page(
        "GET",
        rule(F403, anon=LOGIN, gw=OK, gl=OK, gw_b=OK, disp=OK, disp_b=OK, disp_c=OK),
    ),
    "event_report_fields": Page("GET", SIGNED_IN, {"category": "{category}"}),
    "event_report_regions": Page("GET", SIGNED_IN),
    # Uploaded files, served by Django only when DEBUG is on: nothing at this path.
    "^media/(?P<path>.*)$": Page("GET", rule(F404), kwargs={"path": "none.jpg"}),
}

# Admin pages: staff only; everyone else is sent to the admin's sign-in page.
ADMIN_RULE = rule(LOGIN, sysadmin=OK)
ADMIN_PAGES: dict[str, Page] = {
    "admin:login": Page("GET", PUBLIC),
    "admin:logout": Page("POST", PUBLIC),
    "admin:jsi18n": Page("GET", ADMIN_RULE),
    # The "view on site" redirect of objects without a page: 404 for staff.
    "admin:view_on_site": Page("GET", rule(LOGIN, sysadmin=F404)),
    # Any other address under /admin/: sign in first; staff get 404.
    "admin:(?P<url>.*)$": Page("GET", rule(LOGIN, sysadmin=F404), kwargs={"url": "nowhere/"}),
    # The user picker of the clearance form.
    "admin:autocomplete": Page(
        "GET", ADMIN_RULE, {"app_label": "privacy", "model_name": "clearance", "field_name": "user"}
    ),
}

# Rows the system writes: even staff may not add (or delete) them in the admin (403).
ADMIN_NO_ADD = {
    "accounts_apitoken",
    "accounts_loginfailure",
    "core_auditentry",
    "django_tasks_database_dbtaskresult",
    "events_assignment",
    "events_attachment",
    "events_consultation",
    "events_event",
    "events_eventcodecounter",
    "events_eventtransition",
    "events_extensionrequest",
    "events_trackingcheck",
    "notifications_delivery",
    "notifications_notification",
    "privacy_exportrequest",
    "sla_sweeprun",
}
ADMIN_NO_DELETE = {
    "core_auditentry",
    "django_tasks_database_dbtaskresult",
    "events_assignment",
    "events_attachment",
    "events_consultation",
    "events_event",
    "events_eventcodecounter",
    "events_eventtransition",
    "events_extensionrequest",
    "events_trackingcheck",
    "privacy_exportrequest",
}


def admin_rule(name: str) -> dict[str, str]:
    """The default for an admin page: its model's add/delete refusal, else ADMIN_RULE."""
    m = re.fullmatch(r"admin:(\w+)_(add|delete)", name)
    if m and m.group(1) in (ADMIN_NO_ADD if m.group(2) == "add" else ADMIN_NO_DELETE):
        return rule(LOGIN, sysadmin=F403)
    return ADMIN_RULE


# API pages that are not operations of the schema.
API_PAGES: dict[str, Page] = {
    "api-v1:openapi-json": Page("GET", PUBLIC),
    "api-v1:openapi-view": Page("GET", PUBLIC),
    "api-v1:api-root": Page("GET", rule(F404)),
}

# ---- the declared table: API operations (operationId → body and outcome per user) -------

API_SIGNED_IN = rule(OK, anon=LOGIN)
API_EVENT_A = EVENT_A


@dataclass(frozen=True)
class Operation:
    expect: dict[str, str]
    body: Any = None
    multipart: bool = False


OPERATIONS: dict[str, Operation] = {
    # Open to all: each user signs in with their own password; "anon" has no account (401).
    "pingan_api_v1_auth_auth_token": Operation(
        rule(OK, anon=LOGIN), {"username": "{username}", "password": "{password}"}
    ),
    "pingan_api_v1_auth_me": Operation(API_SIGNED_IN),
    "pingan_api_v1_reference_regions": Operation(API_SIGNED_IN),
    "pingan_api_v1_reference_region_detail": Operation(API_SIGNED_IN),
    "pingan_api_v1_reference_categories": Operation(API_SIGNED_IN),
    "pingan_api_v1_reference_departments": Operation(API_SIGNED_IN),
    "pingan_api_v1_events_event_create": Operation(
        rule(F403, anon=LOGIN, gw=OK, gl=OK, gw_b=OK, disp=OK, disp_b=OK, disp_c=OK),
        {"category": "{category}", "description": "路灯不亮", "region": "{grid_a1}"},
    ),
    "pingan_api_v1_events_events": Operation(API_SIGNED_IN),
    "pingan_api_v1_events_event_get": Operation(API_EVENT_A),
    "pingan_api_v1_events_event_contact": Operation(PAGES["event_contact"].expect),
    # A comment: anyone who sees the event may leave one, as far as the workflow allows.
    "pingan_api_v1_events_event_transition_create": Operation(
        API_EVENT_A, {"action": "comment", "note": "备注"}
    ),
    # Figures over the caller's own scope.
    "pingan_api_v1_stats_stats_summary": Operation(API_SIGNED_IN),
    "pingan_api_v1_attachments_upload": Operation(
        API_EVENT_A, {"file": "{photo}", "kind": "report"}, multipart=True
    ),
    "pingan_api_v1_attachments_list_": Operation(API_EVENT_A),
}


# ---- the walk -------------------------------------------------------------------------


def walk_patterns(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> list[tuple[str, Any, str]]:
    """(name or route, pattern, concrete-ish path template) for every URL pattern."""
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            out += walk_patterns(p.url_patterns, prefix + _template(p.pattern), ns)
        else:
            assert isinstance(p, URLPattern)
            name = p.name or str(p.pattern)
            if namespace:
                name = f"{namespace}:{name}"
            out.append((name, p, prefix + _template(p.pattern)))
    return out


def _template(pattern: Any) -> str:
    """A route with `{param}` where the pattern takes a parameter."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern))
    assert isinstance(pattern, RegexPattern)
    text = str(pattern).lstrip("^").rstrip("$").replace("\\Z", "")

    def group(m: re.Match[str]) -> str:
        body = m.group(2)
        if "|" in body and re.fullmatch(r"[\w|]+", body):
            return body.split("|")[0]  # the first of the alternatives (admin app labels)
        return "{" + m.group(1) + "}"

    return re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, text)


def admin_object_id(path: str) -> str:
    """An existing pk for `admin/<app>/<model>/{object_id}/...`, or 999999."""
    m = re.match(r"admin/(\w+)/(\w+)/", path)
    if m:
        try:
            model = apps.get_model(m.group(1), m.group(2))
        except LookupError:
            return "999999"
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            return str(row.pk)
    return "999999"


def declared(name: str) -> Page | None:
    if name in PAGES:
        return PAGES[name]
    if name in ADMIN_PAGES:
        return ADMIN_PAGES[name]
    if name in API_PAGES:
        return API_PAGES[name]
    return None


def classify(response: Any) -> str:
    status = response.status_code
    if status in (401,):
        return LOGIN
    if status in (301, 302, 303):
        location = response.headers.get("Location", "")
        if "login/?next=" in location:
            return LOGIN
        return OK
    if status == 403:
        return F403
    if status == 404:
        return F404
    if status < 300 or status in (409, 422):
        return OK
    return f"HTTP {status}"


@pytest.fixture
def world(cast: SimpleNamespace) -> SimpleNamespace:
    cast.sysadmin.is_staff = True
    cast.sysadmin.is_superuser = True
    cast.sysadmin.save()
    event = dispatched_to_police(cast, reporter_phone="13812345678", reporter_name="张三")
    reported = report(cast)
    from pingan.privacy.services import export_request_create

    export = export_request_create(
        user=cast.dispatcher, kind="events", filters={}, row_count=900, reason="分析"
    )
    values = {
        "event": event.pk,
        "event_id": event.pk,
        "event_reported": reported.pk,
        "export_request": export.pk,
        "request_id": export.pk,
        "category": cast.neighbour.pk,
        "grid_a1": cast.grid_a1.pk,
        "region_id": cast.town_a.pk,
        "content_type_id": ContentType.objects.get_for_model(Event).pk,
        "password": cast.password,
    }
    users: dict[str, Any] = {u: getattr(cast, a) for u, a in CAST_ATTR.items()}
    users["anon"] = None
    return SimpleNamespace(cast=cast, values=values, users=users, clients={})


def _photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        m = re.fullmatch(r"\{(\w+)\}", value)
        if m and m.group(1) == "photo":
            return _photo()
        if m:
            return values[m.group(1)]
        return value
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def _as(world: SimpleNamespace, user_key: str, call: Callable[[Client], Any]) -> str:
    client = world.clients.get(user_key)
    if client is None:
        client = world.clients[user_key] = Client()
        user = world.users[user_key]
        if user is not None:
            client.force_login(user)
    cookies = copy.deepcopy(client.cookies)  # sign-out or a language switch must not stick
    with transaction.atomic():
        response = call(client)
        transaction.set_rollback(True)
    client.cookies = cookies
    return classify(response)


def test_every_url_pattern_answers_as_declared_for_every_role(world):
    undeclared, mismatches = [], []
    for name, _pattern, template in walk_patterns(get_resolver().url_patterns):
        if name.startswith("api-v1:") and name not in API_PAGES:
            continue  # operations of the schema: walked by the next test
        page = declared(name)
        if page is None and name.startswith("admin:"):
            page = Page("GET", admin_rule(name))
        if page is None:
            undeclared.append(name)
            continue
        values = dict(world.values)
        for key in ("object_id", "id"):
            if "{" + key + "}" in template:
                values[key] = admin_object_id(template)
        values.update({k: _fill(v, world.values) for k, v in page.kwargs.items()})
        path = "/" + template.format(**{k: str(v) for k, v in values.items()})
        data = _fill(page.data, world.values)
        for user_key in USERS:
            method = page.method.lower()
            got = _as(world, user_key, lambda c, m=method, p=path, d=data: getattr(c, m)(p, d))
            if got != page.expect[user_key]:
                mismatches.append(
                    f"{name} {page.method} {path} as {user_key}: "
                    f"got {got}, declared {page.expect[user_key]}"
                )
    assert not undeclared, (
        "URL patterns not declared in the permission table; add each to PAGES in "
        f"{__file__} with its outcome per role: {undeclared}"
    )
    assert not mismatches, "\n".join(mismatches)


def _operations() -> list[tuple[str, str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    out = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            out.append((op["operationId"], method.upper(), path))
    return out


def test_every_api_operation_answers_as_declared_for_every_role(world):
    tokens = {k: (token_issue(user=u) if u is not None else None) for k, u in world.users.items()}
    undeclared, mismatches = [], []
    for op_id, method, path in _operations():
        op = OPERATIONS.get(op_id)
        if op is None:
            undeclared.append(op_id)
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: str(world.values[m.group(1)]), path)
        for user_key in USERS:
            user = world.users[user_key]
            body = _fill(op.body, {**world.values, "username": user.username if user else "x"})
            headers = {"Authorization": f"Bearer {tokens[user_key]}"} if tokens[user_key] else {}

            def call(
                c: Client,
                url: str = url,
                body: Any = body,
                headers: Any = headers,
                method: str = method,
                op: Operation = op,
            ) -> Any:
                if method == "GET":
                    return c.get(url, headers=headers)
                if op.multipart:
                    return c.post(url, body or {}, headers=headers)
                return c.generic(
                    method,
                    url,
                    json.dumps(body or {}),
                    content_type="application/json",
                    headers=headers,
                )

            # The API is driven with tokens only: a client without a session.
            got = _as(world, "anon", call)
            if got != op.expect[user_key]:
                mismatches.append(
                    f"{op_id} {method} {url} as {user_key}: "
                    f"got {got}, declared {op.expect[user_key]}"
                )
    assert not undeclared, (
        "API operations not declared in the permission table; add each to OPERATIONS in "
        f"{__file__} with its outcome per role: {undeclared}"
    )
    assert not mismatches, "\n".join(mismatches)
