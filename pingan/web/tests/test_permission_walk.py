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
import datetime as dt
import io
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from PIL import Image

from pingan.accounts.models import ApiToken
from pingan.accounts.services import token_issue
from pingan.analytics.models import Briefing, ExportJob, PeriodLock
from pingan.api.tests.helpers import dispatched_to_police, report
from pingan.api.v1.router import api
from pingan.core import clock
from pingan.events.models import Attachment, Event
from pingan.gridsys.choices import MeetingKind
from pingan.gridsys.models import Meeting
from pingan.leads.services import post_add
from pingan.mediation.services import committee_create
from pingan.mediation.tests.factories import new_case
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert
from pingan.patrols.services import patrol_start

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
    "sysadmin",  # system administrator (系统管理员: accounts and configuration)
    "secadmin",  # security administrator (安全管理员: role grants, security objects)
    "auditadmin",  # audit administrator (审计管理员: reads and exports the audit log)
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
# Things of town A kept by region: those whose region covers town A.
TOWN_A_SEERS = rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK)
# The mediation pages' roles (mediator, dispatcher, leader).
MEDIATION_ROLES = rule(F403, anon=LOGIN, disp=OK, disp_b=OK, disp_c=OK, leader=OK, leader_b=OK)
# Town A's emergency activation: its region's staff and the people its groups called up.
EM_SEERS = rule(
    F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, leader=OK, h_police=OK, h_market=OK
)
# Town A's plans, drills and roster are kept by its office: dispatchers and leaders over it.
EM_OFFICE = rule(F403, anon=LOGIN, disp=OK, disp_c=OK, leader=OK)
# Grid management pages: leaders, grid leaders, dispatchers.
GRID_VIEW = rule(F404, anon=LOGIN, gl=OK, disp=OK, disp_b=OK, disp_c=OK, leader=OK, leader_b=OK)
# The registers (docs/registry.md): a record of town A's first grid, who sees it, who may
# change or reveal it (not the leader), who may register (grid roles and dispatchers).
REGISTRY_A = rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, leader=OK)
REGISTRY_A_EDIT = {**REGISTRY_A, "leader": F403}
REGISTRY_WRITERS = rule(F403, anon=LOGIN, gw=OK, gl=OK, gw_b=OK, disp=OK, disp_b=OK, disp_c=OK)
# Registering in town A's first grid (the API): its grid roles and dispatchers; issuing
# permits and points on its records: its dispatchers (others who see them are refused).
REGISTRY_WRITERS_A = rule(F403, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK)
REGISTRY_A_CENTRE = {**REGISTRY_A_EDIT, "gw": F403, "gl": F403}


# 平安考核: who sees the county's published scheme (docs/assessment.md, "Scope"), and the
# same people refused (403) where only the office may act.
ASSESSMENT_SEERS = rule(
    F404,
    anon=LOGIN,
    disp=OK,
    disp_b=OK,
    disp_c=OK,
    leader=OK,
    leader_b=OK,
    h_police=OK,
    h_market=OK,
)
ASSESSMENT_SEERS_403 = {k: (F403 if v == OK else v) for k, v in ASSESSMENT_SEERS.items()}


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
    # The live poll of a dispatcher's pages: 204 for anyone without a centre.
    "live_state": Page("GET", SIGNED_IN),
    "event_list": Page("GET", SIGNED_IN),
    "inbox": Page("GET", SIGNED_IN),
    "inbox_read": Page("POST", SIGNED_IN),
    "event_export": Page("GET", SIGNED_IN),
    "export_requests": Page("GET", SIGNED_IN),
    "export_request_new": Page("POST", SIGNED_IN, {"reason": "月度分析"}),
    # Deciding the dispatcher's pending export request: the county leader or the security
    # administrator (docs/privacy.md);
    # the requester is refused (403), everyone else does not see it (404).
    "export_request_decide": Page(
        "POST",
        rule(F404, anon=LOGIN, leader=OK, disp=F403, secadmin=OK),
        {"decision": "approve"},
        {"request_id": "{export_request}"},
    ),
    # Downloading it: only the requester (409 while it is pending).
    "export_request_download": Page(
        "GET", rule(F404, anon=LOGIN, disp=OK), kwargs={"request_id": "{export_request}"}
    ),
    "event_detail": Page("GET", EVENT_A, kwargs={"event_id": "{event}"}),
    # The dispatch form's deadline preview: whoever sees the event.
    "event_dispatch_deadlines": Page("GET", EVENT_A, kwargs={"event_id": "{event}"}),
    # 督办件: every signed-in user, each seeing the orders in their own scope.
    "supervision_list": Page("GET", SIGNED_IN),
    # Mediation pages (docs/mediation.md, "Pages"): the case of town A, a village committee.
    "mediation_workbench": Page("GET", MEDIATION_ROLES),
    # 调解统计 and its export: leaders and dispatchers (each their own scope), mediators.
    "mediation_dashboard": Page("GET", MEDIATION_ROLES),
    "mediation_dashboard_export": Page("GET", MEDIATION_ROLES),
    "mediation_committees": Page("GET", MEDIATION_ROLES),
    "mediation_committee": Page(
        "GET",
        rule(F403, anon=LOGIN, disp=OK, disp_c=OK, leader=OK, disp_b=F404, leader_b=F404),
        kwargs={"committee_id": "{committee_id}"},
    ),
    "mediation_new": Page(
        "GET",
        rule(F403, anon=LOGIN, gw=OK, gl=OK, gw_b=OK, disp=OK, disp_b=OK, disp_c=OK),
    ),
    "mediation_case": Page("GET", TOWN_A_SEERS, kwargs={"case_id": "{case_id}"}),
    "mediation_parties": Page(
        "POST",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=F403),
        kwargs={"case_id": "{case_id}"},
    ),
    # 指派 before 受理: those who see the case are refused, the others get 404.
    "mediation_action": Page(
        "GET",
        rule(F404, anon=LOGIN, disp=F403, disp_c=F403, leader=F403),
        kwargs={"case_id": "{case_id}", "action": "assign"},
    ),
    # 转调解 of the dispatched dispute: the centre and the lead department.
    "mediation_from_event": Page(
        "GET",
        rule(F404, anon=LOGIN, gw=F403, gl=F403, leader=F403, disp=OK, disp_c=OK, h_police=OK),
        kwargs={"event_id": "{event}"},
    ),
    # The action form: in scope → the form (or 409 when the role may not act now).
    "event_action": Page("GET", EVENT_A, kwargs={"event_id": "{event}", "action": "comment"}),
    "case_action": Page(
        "GET",
        EVENT_A,
        kwargs={"kind_name": "events", "case_id": "{event}", "action": "comment"},
    ),
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
    # ---- readiness probe, public channels --------------------------------------------
    "readyz": Page("GET", PUBLIC),
    # Open311 GeoReport v2: the public interface for citizens' apps (no account).
    "open311:root": Page("GET", PUBLIC),
    "open311:discovery": Page("GET", PUBLIC),
    "open311:services": Page("GET", PUBLIC),
    "open311:service": Page("GET", PUBLIC, kwargs={"code": "{service_code}"}),
    "open311:requests": Page("GET", PUBLIC),
    # Only requests made through Open311 are public there: an event the grid worker
    # reported (with the caller's contact) is unknown to it, for everyone.
    "open311:request": Page("GET", rule(F404), kwargs={"request_id": "{event_code}"}),
    r"open311:^request/(?P<request_id>[^/]+)\.(?P<fmt>json|xml)$": Page(
        "GET", rule(F404), kwargs={"request_id": "{event_code}"}
    ),
    # A token nobody was given: 404 for everyone.
    "open311:token": Page("GET", rule(F404), kwargs={"token_id": "nope"}),
    # The citizens' report form, its thanks page, tracking by code, the map of regions.
    "citizen:report": Page("GET", PUBLIC),
    "citizen:done": Page("GET", PUBLIC),
    "citizen:track": Page("GET", PUBLIC),
    "citizen:regions": Page("GET", PUBLIC),
    "captcha-image": Page("GET", PUBLIC, kwargs={"key": "{captcha}"}),
    "captcha-image-2x": Page("GET", PUBLIC, kwargs={"key": "{captcha}"}),
    # The spoken challenge needs a speech synthesiser, which the platform does not ship.
    "captcha-audio": Page("GET", rule(F404), kwargs={"key": "{captcha}"}),
    # A new challenge, for the page's script only (XMLHttpRequest); a plain GET is 404.
    "captcha-refresh": Page("GET", rule(F404)),
    # Work orders from 12345 / 110: each sees the orders of the events in their scope.
    "intake:orders": Page("GET", SIGNED_IN),
    # The transfer-to-110 form: shown to those who see the event (the service decides).
    "intake:transfer_110": Page("GET", EVENT_A, kwargs={"event_id": "{event}"}),
    # ---- field app and grid management -------------------------------------------
    "field_app": Page("GET", SIGNED_IN),
    "field_sw": Page("GET", PUBLIC),
    "field_manifest": Page("GET", PUBLIC),
    "gridsys_index": Page("GET", SIGNED_IN),
    "gridsys_scores": Page("GET", SIGNED_IN),
    "gridsys_ranking": Page("GET", SIGNED_IN),
    "gridsys_patrols": Page("GET", SIGNED_IN),
    # Meetings and after-reviews of the region: its leaders, grid leaders, dispatchers.
    "gridsys_meetings": Page("GET", GRID_VIEW),
    # ---- triage and online leads (dispatchers' work) -----------------------------------
    # Merge into another event: the dispatcher whose queue holds the event; others who
    # see it may not (403); the rest do not see it (404).
    "triage_merge": Page(
        "POST",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, gw=F403, gl=F403, h_police=F403, leader=F403),
        data={"master": "{event}"},
        kwargs={"event_id": "{event}"},
    ),
    # Only dispatchers judge duplicates (403 for the others, before any lookup); for them
    # a candidate that does not exist is 404.
    "triage_dismiss": Page(
        "POST",
        rule(F403, anon=LOGIN, disp=F404, disp_b=F404, disp_c=F404),
        kwargs={"candidate_id": 999999},
    ),
    # 属实 / 误报 on a risk alert: an alert that does not exist is 404 for everyone signed
    # in (who may mark one: pingan/triage/tests/test_alert_rules.py).
    "triage_alert_verdict": Page(
        "POST", rule(F404, anon=LOGIN), {"verdict": "confirmed"}, {"alert_id": 999999}
    ),
    # The trial run of a risk rule (admin page of the rule): staff with the rule's
    # permission, i.e. the system administrator; an empty form is 422.
    "triage_rule_dry_run": Page("POST", rule(LOGIN, sysadmin=OK, secadmin=F403, auditadmin=F403)),
    # The leads page lists the leads of the user's scope (empty for most roles).
    "lead_list": Page("GET", SIGNED_IN),
    # An upload without a file: the page says so (redirect back with a message).
    "lead_upload": Page("POST", SIGNED_IN),
    # Deciding on the lead of town A (here: dismissing it): the dispatchers of its region.
    # The county leader sees it but may not decide (403, issue 16); others do not see it.
    "lead_decide": Page(
        "POST",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=F403),
        {"decision": "dismiss", "note": "与本地无关"},
        kwargs={"lead_id": "{lead}"},
    ),
    "gridsys_reviews": Page("GET", GRID_VIEW),
    # The meeting of town A: its dispatcher, the county's.
    "gridsys_meeting": Page(
        "GET",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK),
        kwargs={"meeting_id": "{meeting}"},
    ),
    # The event's photo and its thumbnail: whoever sees the event.
    "event_photo": Page(
        "GET", EVENT_A, kwargs={"event_id": "{event}", "attachment_id": "{attachment}"}
    ),
    "event_photo_thumb": Page(
        "GET", EVENT_A, kwargs={"event_id": "{event}", "attachment_id": "{attachment}"}
    ),
    # ---- figures -------------------------------------------------------------------
    # Dashboards count the events the caller may see (docs/kpis.md: a figure equals the
    # event list's count with the same filters), so asking about town A from town B
    # answers with town B's view of it: nothing.
    "dashboard": Page("GET", SIGNED_IN, {"region": "{town_a}"}),
    "dashboard_wall": Page("GET", SIGNED_IN, {"region": "{town_a}"}),
    "dashboard_map": Page("GET", SIGNED_IN, {"region": "{town_a}"}),
    "dashboard_pins": Page("GET", SIGNED_IN, {"region": "{town_a}"}),
    "dashboard_extras": Page("GET", SIGNED_IN, {"region": "{town_a}"}),
    "dashboard_leader": Page("GET", SIGNED_IN, {"region": "{town_a}"}),
    "briefings": Page("GET", SIGNED_IN),
    # Period locking (封账): whoever the API lets lock (county leader, county dispatcher).
    "period_locks": Page("GET", rule(F403, anon=LOGIN, leader=OK, disp_c=OK)),
    "period_lock": Page(
        "POST",
        rule(F403, anon=LOGIN, leader=OK, disp_c=OK),
        {"kind": "month", "month": "2021-01", "note": "年度封账"},
    ),
    "period_unlock": Page(
        "POST", rule(F403, anon=LOGIN, leader=OK, disp_c=OK), kwargs={"lock_id": "{lock_id}"}
    ),
    # The archived briefing of town A: those whose regions cover town A.
    "briefing_file": Page("GET", TOWN_A_SEERS, kwargs={"briefing_id": "{briefing}"}),
    "event_export_xlsx": Page("GET", SIGNED_IN),
    # The dispatcher's background export: only the dispatcher who asked for it.
    "export_job": Page("GET", rule(F404, anon=LOGIN, disp=OK), kwargs={"job_id": "{job}"}),
    "export_job_file": Page("GET", rule(F404, anon=LOGIN, disp=OK), kwargs={"job_id": "{job}"}),
    # ---- sign-in and account -----------------------------------------------------
    # The second step of signing in: without a pending password step, back to sign in.
    "login_otp": Page("GET", PUBLIC),
    "login_otp_setup": Page("GET", PUBLIC),
    "account_security": Page("GET", SIGNED_IN),
    "password_change": Page("GET", SIGNED_IN),
    # The audit log: the audit administrator only; the others do not see it exists.
    "audit_log": Page("GET", rule(F404, anon=LOGIN, auditadmin=OK)),
    "audit_export": Page("GET", rule(F404, anon=LOGIN, auditadmin=OK)),
    # ---- registry (issue 23) ----
    # The registers' pages (docs/registry.md, "Pages"): lists and figures for everyone
    # signed in, each in their own scope; the records of town A's grid: who sees the grid.
    "registry_overview": Page("GET", SIGNED_IN, {"region": "{town_a}"}),
    "registry_persons": Page("GET", SIGNED_IN),
    "registry_households": Page("GET", SIGNED_IN),
    "registry_key_persons": Page("GET", SIGNED_IN),
    "registry_rentals": Page("GET", SIGNED_IN),
    "registry_places": Page("GET", SIGNED_IN),
    "registry_sectors": Page("GET", SIGNED_IN),
    "registry_cameras": Page("GET", SIGNED_IN),
    "registry_map": Page("GET", SIGNED_IN, {"region": "{town_a}"}),
    "registry_map_features": Page("GET", SIGNED_IN, {"region": "{town_a}"}),
    # The lists' Excel exports (masked, under the export approval): the lists' viewers.
    "registry_persons_export": Page("GET", SIGNED_IN),
    "registry_rentals_export": Page("GET", SIGNED_IN),
    # Registering: grid workers, grid leaders, dispatchers (each in their own grids).
    "registry_person_new": Page("GET", REGISTRY_WRITERS),
    "registry_rental_new": Page("GET", REGISTRY_WRITERS),
    "registry_person": Page("GET", REGISTRY_A, kwargs={"person_id": "{regpages_person}"}),
    "registry_household": Page("GET", REGISTRY_A, kwargs={"household_id": "{regpages_household}"}),
    # Changing and revealing: the grid's workers, leaders and dispatchers; the county
    # leader sees the record masked and is refused (403).
    "registry_person_edit": Page("GET", REGISTRY_A_EDIT, kwargs={"person_id": "{regpages_person}"}),
    "registry_person_reveal": Page(
        "POST", REGISTRY_A_EDIT, kwargs={"person_id": "{regpages_person}"}
    ),
    "registry_rental": Page("GET", REGISTRY_A, kwargs={"rental_id": "{regpages_rental}"}),
    "registry_rental_edit": Page("GET", REGISTRY_A_EDIT, kwargs={"rental_id": "{regpages_rental}"}),
    "registry_rental_reveal": Page(
        "POST", REGISTRY_A_EDIT, kwargs={"rental_id": "{regpages_rental}"}
    ),
    "registry_place": Page("GET", REGISTRY_A, kwargs={"place_id": "{regpages_place}"}),
    "registry_place_reveal": Page("POST", REGISTRY_A_EDIT, kwargs={"place_id": "{regpages_place}"}),
    # A key person under a labelled category: nobody in the cast holds the clearance, so
    # only its helper (the grid leader) sees it.
    "registry_key_person": Page(
        "GET",
        rule(F404, anon=LOGIN, gl=OK),
        kwargs={"key_person_id": "{regpages_key_person}"},
    ),
    # ---- places (issue 23) ----
    # ---- risk (issue 22) ----
    # The risk register (docs/risk.md, "Pages"): every role with a territory or a
    # department, each in their own scope; registering: the county's Ping'an office (the
    # county dispatcher and leader). The matter of town A's first grid, owned by the
    # police: who sees it; grading it before it is assessed: those who see it are refused.
    "risk_register": Page(
        "GET", rule(OK, anon=LOGIN, sysadmin=F403, secadmin=F403, auditadmin=F403)
    ),
    "risk_new": Page("GET", rule(F403, anon=LOGIN, disp_c=OK, leader=OK)),
    "risk_matter": Page(
        "GET",
        rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, h_police=OK, leader=OK),
        kwargs={"risk_matter_id": "{risk_matter_id}"},
    ),
    "risk_action": Page(
        "GET",
        rule(
            F404, anon=LOGIN, gw=F403, gl=F403, disp=F403, disp_c=F403, h_police=F403, leader=F403
        ),
        kwargs={"risk_matter_id": "{risk_matter_id}", "action": "grade"},
    ),
    # ---- emergency (issue 22) ----
    # The plan library, the lists, the roster, the phone page: every signed-in user.
    "emergency_activations": Page("GET", SIGNED_IN),
    "emergency_plans": Page("GET", SIGNED_IN),
    "emergency_plan": Page("GET", SIGNED_IN, kwargs={"plan_id": "{plan_id}"}),
    "emergency_my_tasks": Page("GET", SIGNED_IN),
    "emergency_drills": Page("GET", SIGNED_IN),
    "duty_roster": Page("GET", SIGNED_IN),
    # Town A's activation: its region's staff and the people called up (police, market,
    # the grid worker); the rest do not see it.
    "emergency_activation": Page("GET", EM_SEERS, kwargs={"activation_id": "{activation_id}"}),
    "emergency_activation_live": Page("GET", EM_SEERS, kwargs={"activation_id": "{activation_id}"}),
    "emergency_report_photo": Page("GET", EM_SEERS, kwargs={"report_id": "{emergency_report}"}),
    # 增派任务: the centre and leaders of the region; the others who see it may not.
    "emergency_activation_act": Page(
        "GET",
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            h_police=F403,
            h_market=F403,
            disp=OK,
            disp_c=OK,
            leader=OK,
        ),
        kwargs={"activation_id": "{activation_id}", "action": "add_task"},
    ),
    # 签收 of the police's group: its members only (403 for the others who see it).
    "emergency_member_action": Page(
        "POST",
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            disp=F403,
            disp_c=F403,
            leader=F403,
            h_market=F403,
            h_police=OK,
        ),
        {"action": "acknowledge", "group": "{emergency_group}"},
        kwargs={"activation_id": "{activation_id}"},
    ),
    # 启动预案 on town A's event: its centre and leaders; grid staff see it but may not.
    "emergency_activate": Page(
        "GET",
        rule(F404, anon=LOGIN, gw=F403, gl=F403, disp=OK, disp_c=OK, leader=OK),
        kwargs={"event_id": "{emergency_event}"},
    ),
    "emergency_event_banner": Page(
        "GET",
        rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, leader=OK),
        kwargs={"event_id": "{emergency_event}"},
    ),
    # Town A's drill, roster and hand-over notes: its office (dispatchers, leaders over it).
    "emergency_drill_record": Page(
        "POST",
        EM_OFFICE,
        {"held_on": "{emergency_today}", "participants": 10, "findings": "到场偏慢"},
        kwargs={"drill_id": "{drill_id}"},
    ),
    "duty_shift_add": Page(
        "POST",
        EM_OFFICE,
        {
            "date": "{emergency_today}",
            "shift": "night",
            "region": "{town_a}",
            "user": "{emergency_user}",
            "role": "officer",
        },
    ),
    "duty_shift_delete": Page("POST", EM_OFFICE, kwargs={"duty_shift_id": "{duty_shift_id}"}),
    "duty_handover_add": Page(
        "POST",
        EM_OFFICE,
        {"date": "{emergency_today}", "shift": "day", "region": "{town_a}", "note": "交接"},
    ),
    # ---- screening (issue 22) ----
    # Dispute screening (docs/screening.md): the village round of this week, with 城东社区's
    # report (one item). The round: whoever sees one of its villages' reports.
    "screening_rounds": Page("GET", SIGNED_IN),
    "screening_round": Page(
        "GET",
        rule(
            F404,
            anon=LOGIN,
            gw=OK,
            gl=OK,
            gw_b=OK,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=OK,
            leader_b=OK,
        ),
        kwargs={"screening_round_id": "{screening_round}"},
    ),
    "screening_round_export": Page(
        "GET",
        rule(
            F404,
            anon=LOGIN,
            gw=OK,
            gl=OK,
            gw_b=OK,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=OK,
            leader_b=OK,
        ),
        kwargs={"screening_round_id": "{screening_round}"},
    ),
    # An item of 城东社区: its people and the dispatchers over it dispose of it; the county
    # leader sees it and may not (403); town B does not see it.
    "screening_item_dispose": Page(
        "POST",
        rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, leader=F403),
        {"disposition": "handled", "note": "已在调处"},
        {"screening_item_id": "{screening_item}"},
    ),
    # 平安考核 (docs/assessment.md, "Scope"): the county's scheme, published and scored. Who
    # sees it: the office and the county leader, and the units (towns' dispatchers and
    # leaders, the county departments' handlers); grid roles and the administrators do not.
    # 平安建设: links by role; the pages behind them check again.
    "construction_hub": Page("GET", SIGNED_IN),
    "assessment_schemes": Page("GET", SIGNED_IN),
    "assessment_scheme": Page(
        "GET", ASSESSMENT_SEERS, kwargs={"assessment_scheme_id": "{assessment_scheme}"}
    ),
    "assessment_scheme_action": Page(
        "POST",
        {**ASSESSMENT_SEERS_403, "disp_c": OK},
        kwargs={"assessment_scheme_id": "{assessment_scheme}", "action": "score"},
    ),
    "assessment_unit": Page(
        "GET",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK),
        kwargs={"assessment_scheme_id": "{assessment_scheme}", "unit": "{assessment_unit}"},
    ),
    "assessment_appeals": Page(
        "GET", ASSESSMENT_SEERS, kwargs={"assessment_scheme_id": "{assessment_scheme}"}
    ),
    # The ranking is not published yet: the units are refused (403).
    "assessment_ranking_export": Page(
        "GET",
        {**ASSESSMENT_SEERS_403, "disp_c": OK, "leader": OK},
        kwargs={"assessment_scheme_id": "{assessment_scheme}"},
    ),
    "assessment_notice": Page(
        "GET",
        {**ASSESSMENT_SEERS_403, "disp_c": OK, "leader": OK},
        kwargs={"assessment_scheme_id": "{assessment_scheme}"},
    ),
    "assessment_agreement": Page(
        "GET",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK),
        kwargs={"assessment_agreement_id": "{assessment_agreement}"},
    ),
    # Inspections (docs/inspections.md, "Scope"): the published inspection of town A by a
    # county inspector: the county office, town A's dispatcher and the county leader see it;
    # only the office publishes (409: already published) and issues orders (or its inspectors).
    "inspections_home": Page("GET", SIGNED_IN),
    "inspections_plans": Page("GET", SIGNED_IN),
    "inspections_plan_new": Page("GET", rule(F403, anon=LOGIN, disp_c=OK)),
    "inspections_detail": Page(
        "GET",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK),
        kwargs={"inspection_id": "{inspection_id}"},
    ),
    "inspections_report": Page(
        "GET",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK),
        kwargs={"inspection_id": "{inspection_id}"},
    ),
    "inspections_publish": Page(
        "POST",
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, leader=F403),
        kwargs={"inspection_id": "{inspection_id}"},
    ),
    "inspections_order": Page(
        "POST",
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, leader=F403),
        {"deadline": "{inspection_deadline}"},
        {"inspection_id": "{inspection_id}", "finding_id": "{inspection_finding_id}"},
    ),
    # 整改通知 (docs/rectification.md, "Pages"): the list and the deductions for dispatchers,
    # handlers, leaders (each their own scope); issuing by hand: the county office; town
    # A's published order: its dispatchers, the office, the county leader; uploading
    # evidence: the owner unit only (422 here: no file), the others who see it 403.
    "rectification_list": Page(
        "GET",
        rule(
            F403,
            anon=LOGIN,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            h_police=OK,
            h_market=OK,
            leader=OK,
            leader_b=OK,
        ),
    ),
    "rectification_deductions": Page(
        "GET",
        rule(
            F403,
            anon=LOGIN,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            h_police=OK,
            h_market=OK,
            leader=OK,
            leader_b=OK,
        ),
    ),
    "rectification_new": Page("GET", rule(F403, anon=LOGIN, disp_c=OK)),
    "rectification_order": Page("GET", TOWN_A_SEERS, kwargs={"order_id": "{rectification_id}"}),
    "rectification_evidence_upload": Page(
        "POST",
        rule(F404, anon=LOGIN, disp=OK, disp_c=F403, leader=F403),
        kwargs={"order_id": "{rectification_id}"},
    ),
    "rectification_evidence_file": Page(
        "GET",
        TOWN_A_SEERS,
        kwargs={"order_id": "{rectification_id}", "evidence_id": "{rectification_evidence_id}"},
    ),
    # Campaigns (docs/campaigns.md): the list for offices, leaders and departments; the
    # new form for the county office. Town A's active campaign: who sees it; its writes:
    # the county office (409/302), the others who see it are refused. Listed items: every
    # role with a territory or department; town A's item in grid A1: who sees it.
    "campaigns_list": Page(
        "GET",
        rule(
            F403,
            anon=LOGIN,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            h_police=OK,
            h_market=OK,
            leader=OK,
            leader_b=OK,
        ),
    ),
    "campaigns_new": Page("GET", rule(F403, anon=LOGIN, disp_c=OK)),
    "campaigns_detail": Page(
        "GET",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, h_police=OK, h_market=OK, leader=OK),
        kwargs={"campaign_id": "{campaign_id}"},
    ),
    "campaigns_activate": Page(
        "POST",
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, h_police=F403, h_market=F403, leader=F403),
        kwargs={"campaign_id": "{campaign_id}"},
    ),
    "campaigns_close": Page(
        "POST",
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, h_police=F403, h_market=F403, leader=F403),
        {"summary": "行动总结"},
        kwargs={"campaign_id": "{campaign_id}"},
    ),
    "campaigns_tag": Page(
        "POST",
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, h_police=F403, h_market=F403, leader=F403),
        {"event": "{event}"},
        kwargs={"campaign_id": "{campaign_id}"},
    ),
    "campaigns_target": Page(
        "POST",
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, h_police=F403, h_market=F403, leader=F403),
        {"value": "5", "note": "汇总"},
        kwargs={"campaign_id": "{campaign_id}", "target_id": "{campaign_target_id}"},
    ),
    "campaigns_report": Page(
        "GET",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, h_police=OK, h_market=OK, leader=OK),
        kwargs={"campaign_id": "{campaign_id}"},
    ),
    "campaigns_listings": Page(
        "GET", rule(OK, anon=LOGIN, sysadmin=F403, secadmin=F403, auditadmin=F403)
    ),
    "campaigns_listing": Page(
        "GET",
        rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, leader=OK),
        kwargs={"listing_id": "{listing_id}"},
    ),
    # Surveys (docs/surveys.md): the county's open 安全感 survey; the office (disp_c) runs it,
    # everyone with a region in the county sees it, dispatchers and leaders read results.
    "surveys_list": Page("GET", SIGNED_IN),
    "surveys_new": Page("GET", rule(F403, anon=LOGIN, disp_c=OK)),
    "surveys_detail": Page(
        "GET",
        rule(
            F404,
            anon=LOGIN,
            gw=OK,
            gl=OK,
            gw_b=OK,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=OK,
            leader_b=OK,
        ),
        kwargs={"survey_id": "{survey_id}"},
    ),
    "surveys_status": Page(
        "POST",
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            gw_b=F403,
            disp=F403,
            disp_b=F403,
            disp_c=OK,
            leader=F403,
            leader_b=F403,
        ),
        kwargs={"survey_id": "{survey_id}", "action": "close"},
    ),
    "surveys_export": Page(
        "GET",
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            gw_b=F403,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=OK,
            leader_b=OK,
        ),
        kwargs={"survey_id": "{survey_id}"},
    ),
    "surveys_qr_svg": Page(
        "GET",
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            gw_b=F403,
            disp=F403,
            disp_b=F403,
            disp_c=OK,
            leader=F403,
            leader_b=F403,
        ),
        kwargs={"survey_id": "{survey_id}"},
    ),
    "surveys_qr_png": Page(
        "GET",
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            gw_b=F403,
            disp=F403,
            disp_b=F403,
            disp_c=OK,
            leader=F403,
            leader_b=F403,
        ),
        kwargs={"survey_id": "{survey_id}"},
    ),
    # The citizens' link: public, no account.
    "surveys_public": Page("GET", PUBLIC, kwargs={"survey_token": "{survey_token}"}),
    # Safety production (docs/safety-production.md): dispatchers and leaders read; a town's
    # dispatchers and the office enter (town A's figure: its dispatcher and the office).
    "safety_grid": Page(
        "GET",
        rule(
            F403,
            anon=LOGIN,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=OK,
            leader_b=OK,
        ),
    ),
    "safety_figure_save": Page(
        "POST",
        rule(F403, anon=LOGIN, disp=OK, disp_c=OK),
        {"town": "{town_a}", "month": "2026-02", "accidents": "0"},
    ),
    "safety_import": Page("POST", rule(F403, anon=LOGIN, disp=OK, disp_b=OK, disp_c=OK)),
    "safety_template": Page("GET", rule(F403, anon=LOGIN, disp=OK, disp_b=OK, disp_c=OK)),
    "safety_evidence": Page(
        "GET",
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK),
        kwargs={"safety_figure_id": "{safety_figure_id}"},
    ),
}

# Admin pages: the three administrators (三员, `pingan/accounts/roles.py`) enter the back
# office; everyone else is sent to sign in. Model pages follow each role's permissions
# (`admin_rule`): without the permission, 403.
ADMINS = ("sysadmin", "secadmin", "auditadmin")
ADMIN_RULE = rule(LOGIN, sysadmin=OK, secadmin=OK, auditadmin=OK)
ADMIN_404 = rule(LOGIN, sysadmin=F404, secadmin=F404, auditadmin=F404)
ADMIN_PAGES: dict[str, Page] = {
    # The back office signs in through the one sign-in page (password, then the code): a
    # signed-in administrator goes on to the back office, anyone else signed in is refused.
    "admin:login": Page("GET", rule(F403, anon=LOGIN, sysadmin=OK, secadmin=OK, auditadmin=OK)),
    "admin:logout": Page("POST", PUBLIC),
    "admin:jsi18n": Page("GET", ADMIN_RULE),
    # The "view on site" redirect of objects without a page: 404 for administrators.
    "admin:view_on_site": Page("GET", ADMIN_404),
    # Any other address under /admin/: sign in first; administrators get 404.
    "admin:(?P<url>.*)$": Page("GET", ADMIN_404, kwargs={"url": "nowhere/"}),
    # Setting a user's password: the system administrator (accounts).
    "admin:auth_user_password_change": Page(
        "GET", rule(LOGIN, sysadmin=OK, secadmin=F403, auditadmin=F403)
    ),
    # The user picker of the clearance form: for those who may see users (Django checks
    # the view permission of the users' admin).
    "admin:autocomplete": Page(
        "GET",
        rule(LOGIN, sysadmin=OK, secadmin=OK, auditadmin=F403),
        {"app_label": "privacy", "model_name": "clearance", "field_name": "user"},
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
    "events_supervision",
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
    "events_supervision",
    "events_trackingcheck",
    "privacy_exportrequest",
}


def _model_pages() -> dict[str, tuple[str, str]]:
    return {
        f"{m._meta.app_label}_{m._meta.model_name}": (m._meta.app_label, m._meta.model_name)
        for m in apps.get_models()
    }


def admin_rule(name: str, path: str = "") -> dict[str, str]:
    """The default for an admin page: a model page is open to the administrators whose
    role grants the permission it needs (and 403 to the others, or to all when the model
    refuses additions or deletions); an app's index to those with a model in the app."""
    from pingan.accounts import roles

    granted = {
        "sysadmin": roles.role_permissions(roles.SYS_ADMIN),
        "secadmin": roles.role_permissions(roles.SEC_ADMIN),
        "auditadmin": roles.role_permissions(roles.AUDIT_ADMIN),
    }
    if name == "admin:app_list":
        label = path.split("/")[1]  # admin/<app_label>/
        return rule(
            LOGIN,
            **{
                a: OK if any(p.startswith(label + ".") for p in granted[a]) else F404
                for a in ADMINS
            },
        )
    m = re.fullmatch(r"admin:(\w+)_(changelist|add|change|delete|history)", name)
    models = _model_pages()
    if not m or m.group(1) not in models:
        return ADMIN_RULE
    key, action = m.group(1), m.group(2)
    app_label, model = models[key]
    if action == "history" and admin_object_id(path) == "999999":
        return ADMIN_RULE  # no row to show: back to the index, whatever the role
    if (action == "add" and key in ADMIN_NO_ADD) or (action == "delete" and key in ADMIN_NO_DELETE):
        return rule(LOGIN, **{a: F403 for a in ADMINS})
    needs = {
        "add": {"add"},
        "delete": {"delete"},
        "changelist": {"view", "change"},
        "change": {"view", "change"},
        "history": {"view", "change"},
    }[action]
    return rule(
        LOGIN,
        **{
            a: OK if any(f"{app_label}.{n}_{model}" in granted[a] for n in needs) else F403
            for a in ADMINS
        },
    )


# API pages that are not operations of the schema.
API_PAGES: dict[str, Page] = {
    "api-v1:openapi-json": Page("GET", PUBLIC),
    "api-v1:openapi-view": Page("GET", PUBLIC),
    "api-v1:api-root": Page("GET", rule(F404)),
}

# ---- the declared table: API operations (operationId → body and outcome per user) -------

API_SIGNED_IN = rule(OK, anon=LOGIN)
API_EVENT_A = EVENT_A
# Who reports events: grid workers and leaders, dispatchers (not handlers, leaders, admins).
OPERATIONS_REPORTERS = rule(F403, anon=LOGIN, gw=OK, gl=OK, gw_b=OK, disp=OK, disp_b=OK, disp_c=OK)
PATROLLERS = rule(F403, anon=LOGIN, gw=OK, gl=OK, gw_b=OK)
# Adding to the grid worker's patrol: his alone.
OWN_PATROL = rule(F404, anon=LOGIN, gw=OK)
LOCKERS = rule(F403, anon=LOGIN, leader=OK, disp_c=OK)
# A record of the places registers in town A's first grid: who sees it, who changes it.
PLACES_A1 = rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, leader=OK)
PLACES_A1_WRITE = rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, leader=F403)


@dataclass(frozen=True)
class Operation:
    expect: dict[str, str]
    body: Any = None
    multipart: bool = False


OPERATIONS: dict[str, Operation] = {
    # Open to all: each user signs in with their own password; "anon" has no account (401).
    # Dispatchers, leaders and the administrators sign in with two factors: the password
    # alone gets no token (401 otp_required, or otp_enrolment_required without a device).
    "pingan_api_v1_auth_auth_token": Operation(
        rule(
            OK,
            anon=LOGIN,
            disp=LOGIN,
            disp_b=LOGIN,
            disp_c=LOGIN,
            leader=LOGIN,
            leader_b=LOGIN,
            **{a: LOGIN for a in ADMINS},
        ),
        {"username": "{username}", "password": "{password}"},
    ),
    "pingan_api_v1_auth_me": Operation(API_SIGNED_IN),
    # One's own tokens: the list, revoking the one in use (each user revokes their own), and
    # revoking one by id (the grid worker's second token: his alone; 404 for the others).
    "pingan_api_v1_auth_token_items": Operation(API_SIGNED_IN),
    "pingan_api_v1_auth_token_delete_current": Operation(API_SIGNED_IN),
    "pingan_api_v1_auth_token_delete": Operation(rule(F404, anon=LOGIN, gw=OK)),
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
    "pingan_api_v1_attachments_file_": Operation(API_EVENT_A),
    # ---- figures and exports, over the caller's scope ------------------------------
    "pingan_api_v1_stats_stats_kpis": Operation(API_SIGNED_IN),
    "pingan_api_v1_stats_stats_regions": Operation(API_SIGNED_IN),
    "pingan_api_v1_stats_stats_locks": Operation(API_SIGNED_IN),
    # Locking (封账) and unlocking a period: county leaders and county dispatchers.
    "pingan_api_v1_stats_stats_lock": Operation(
        LOCKERS, {"from": "2021-01-01", "to": "2021-01-31", "note": "年度封账"}
    ),
    "pingan_api_v1_stats_stats_unlock": Operation(LOCKERS),
    "pingan_api_v1_exports_events_export": Operation(API_SIGNED_IN),
    "pingan_api_v1_exports_kpis_export": Operation(API_SIGNED_IN),
    # A background export: only whoever asked for it.
    "pingan_api_v1_exports_export_status": Operation(rule(F404, anon=LOGIN, disp=OK)),
    "pingan_api_v1_exports_export_file": Operation(rule(F404, anon=LOGIN, disp=OK)),
    "pingan_api_v1_briefings_briefing_list": Operation(API_SIGNED_IN),
    # Writing a briefing needs a region to write about: handlers and the administrators
    # have none (404).
    "pingan_api_v1_briefings_briefing_render": Operation(
        rule(OK, anon=LOGIN, h_police=F404, h_market=F404, **{a: F404 for a in ADMINS})
    ),
    "pingan_api_v1_briefings_briefing_file": Operation(PAGES["briefing_file"].expect),
    # ---- channels: 12345 / 110 work orders come with an integration key, never a user's
    # token (401 for every user) ----------------------------------------------------------
    "pingan_api_v1_channels_order_create": Operation(rule(LOGIN), {"order_no": "{order_no}"}),
    "pingan_api_v1_channels_order_detail": Operation(rule(LOGIN)),
    "pingan_api_v1_channels_order_take_back": Operation(rule(LOGIN), {"reason": "撤回"}),
    # Handing a police matter to 110: a dispatcher who sees the event (409 here: no 110
    # link is configured); others who see it may not (403), the rest do not see it.
    "pingan_api_v1_channels_transfer_to_110": Operation(
        rule(F404, anon=LOGIN, gw=F403, gl=F403, h_police=F403, leader=F403, disp=OK, disp_c=OK),
        {"reason": "属公安管辖"},
    ),
    # Online posts are entered by dispatchers (their centre's region); others 403.
    "pingan_api_v1_leads_post_create": Operation(
        rule(F403, anon=LOGIN, disp=OK, disp_b=OK, disp_c=OK),
        {
            "platform": "微博",
            "url": "https://weibo.example/1",
            "text": "小区门口聚集讨薪",
            "posted_at": "{now}",
        },
    ),
    # 属实 / 误报 on a risk alert, as on the page: an alert that does not exist is 404 for
    # everyone signed in (who may mark one: pingan/api/tests/test_triage_alerts.py).
    "pingan_api_v1_triage_alert_verdict": Operation(
        rule(F404, anon=LOGIN), {"verdict": "confirmed"}
    ),
    "pingan_api_v1_triage_event_alerts": Operation(API_EVENT_A),
    # Mediation: a case of town A registered by its dispatcher (world's `case_id`).
    "pingan_api_v1_mediation_cases": Operation(API_SIGNED_IN),
    "pingan_api_v1_mediation_case_create": Operation(
        OPERATIONS_REPORTERS,
        {
            "summary": "邻里纠纷",
            "region": "{grid_a1}",
            "parties": [
                {"role": "applicant", "name": "王小明"},
                {"role": "respondent", "name": "李大华"},
            ],
        },
    ),
    "pingan_api_v1_mediation_case_get": Operation(TOWN_A_SEERS),
    "pingan_api_v1_mediation_case_parties": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=F403)
    ),
    "pingan_api_v1_mediation_case_transition": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=F403), {"action": "accept"}
    ),
    "pingan_api_v1_mediation_committees": Operation(API_SIGNED_IN),
    # Mediation documents (docs/mediation.md, "Documents"): the list (no personal data) to
    # whoever sees the case; generating, uploading and downloading (full personal data) to
    # those who may reveal the parties. The file asked for does not exist: 404 for all.
    "pingan_api_v1_mediation_documents_document_list": Operation(TOWN_A_SEERS),
    "pingan_api_v1_mediation_documents_document_generate": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=F403)
    ),
    "pingan_api_v1_mediation_documents_document_scan": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=F403),
        {"file": "{photo}", "kind": "application"},
        multipart=True,
    ),
    "pingan_api_v1_mediation_documents_document_file": Operation(rule(F404, anon=LOGIN)),
    # Mediation figures: every signed-in user, each counting the cases they may see.
    "pingan_api_v1_mediation_stats_mediation_stats": Operation(API_SIGNED_IN),
    # ---- patrols (the grid worker's own) -----------------------------------------------
    "pingan_api_v1_patrols_create": Operation(
        PATROLLERS, {"client_uuid": "{uuid}", "started_at": "{now}"}
    ),
    "pingan_api_v1_patrols_list_": Operation(API_SIGNED_IN),
    "pingan_api_v1_patrols_points": Operation(
        OWN_PATROL, {"points": [{"lat": 30.5, "lng": 120.9, "at": "{now}"}]}
    ),
    "pingan_api_v1_patrols_visits": Operation(
        OWN_PATROL, {"client_uuid": "{uuid}", "kind": "place", "target": "小卖部"}
    ),
    "pingan_api_v1_patrols_finish": Operation(OWN_PATROL, {}),
    # The records of one's grids to pick visits from (masked; empty without a grid role).
    "pingan_api_v1_patrols_targets": Operation(API_SIGNED_IN),
    # Reading a patrol: its grid worker and those over his grid (grid leader, dispatchers
    # and leaders of the town or county).
    "pingan_api_v1_patrols_detail": Operation(
        rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, leader=OK)
    ),
    # ---- field app -----------------------------------------------------------------
    "pingan_api_v1_field_bootstrap": Operation(API_SIGNED_IN),
    "pingan_api_v1_field_locate": Operation(API_SIGNED_IN),
    "pingan_api_v1_field_tasks": Operation(API_SIGNED_IN),
    "pingan_api_v1_field_mine": Operation(API_SIGNED_IN),
    "pingan_api_v1_field_report": Operation(
        OPERATIONS_REPORTERS,
        {
            "client_uuid": "{uuid}",
            "category": "{category}",
            "description": "路灯不亮",
            "region": "{grid_a1}",
        },
    ),
    # 就地调解 on the phone (docs/mediation.md, "On the phone"): grid workers and leaders.
    "pingan_api_v1_field_mediation_mediation": Operation(
        PATROLLERS,
        {
            "client_uuid": "{uuid}",
            "category": "{category}",
            "description": "两户因楼道堆物争吵",
            "region": "{grid_a1}",
            "parties": [
                {"role": "applicant", "name": "王小明"},
                {"role": "respondent", "name": "李大华"},
            ],
            "outcome": "succeeded",
            "terms": "当日清理楼道杂物",
        },
    ),
    "pingan_api_v1_field_photo": Operation(
        API_EVENT_A, {"file": "{photo}", "client_uuid": "{uuid}"}, multipart=True
    ),
    "pingan_api_v1_field_action": Operation(
        API_EVENT_A, {"client_uuid": "{uuid}", "event": "{event}", "action": "comment"}
    ),
    # A site check (核查) of the event: a dispatcher of its region asks for it.
    "pingan_api_v1_field_site_check": Operation(
        rule(F404, anon=LOGIN, gw=F403, gl=F403, h_police=F403, leader=F403, disp=OK, disp_c=OK),
        {"note": "请现场核查", "due_at": "{later}"},
    ),
    "pingan_api_v1_field_flags": Operation(API_EVENT_A),
    "pingan_api_v1_field_all_flags": Operation(API_SIGNED_IN),
    "pingan_api_v1_gridsys_scores": Operation(API_SIGNED_IN),
    # ---- registry (issue 23) ----
    # The registers' API (docs/registry.md, "API"): the walk's person (a new resident),
    # household, permit, points entry and an unlabelled key person of town A's first grid.
    # Lists, reference and the query-bound reads (422 without ?grid= / ?region=): everyone.
    "pingan_api_v1_registry_persons": Operation(API_SIGNED_IN),
    "pingan_api_v1_registry_person_create": Operation(
        REGISTRY_WRITERS_A, {"name": "王小明", "region": "{grid_a1}"}
    ),
    "pingan_api_v1_registry_person_get": Operation(REGISTRY_A),
    "pingan_api_v1_registry_person_update": Operation(REGISTRY_A_EDIT, {"phone": "13900000001"}),
    "pingan_api_v1_registry_person_reveal": Operation(REGISTRY_A_EDIT),
    "pingan_api_v1_registry_person_reads": Operation(rule(F403, anon=LOGIN, auditadmin=OK)),
    "pingan_api_v1_registry_person_move": Operation(
        REGISTRY_A_EDIT, {"kind": "out", "on": "{registry_today}"}
    ),
    "pingan_api_v1_registry_permit_apply": Operation(REGISTRY_A_EDIT),  # 409: one applied
    "pingan_api_v1_registry_permit_act": Operation(
        REGISTRY_A_CENTRE,
        {"action": "issue", "number": "J-1", "expires_on": "{registry_later}"},
    ),
    "pingan_api_v1_registry_points": Operation(REGISTRY_A),
    "pingan_api_v1_registry_points_add": Operation(
        REGISTRY_A_CENTRE, {"rule": "walk-volunteer", "reason": "志愿服务"}
    ),
    "pingan_api_v1_registry_points_reverse": Operation(REGISTRY_A_CENTRE, {"reason": "误记"}),
    "pingan_api_v1_registry_reference": Operation(API_SIGNED_IN),
    "pingan_api_v1_registry_households": Operation(API_SIGNED_IN),
    "pingan_api_v1_registry_household_create": Operation(
        REGISTRY_WRITERS_A, {"number": "REG-WALK-2", "region": "{grid_a1}"}
    ),
    "pingan_api_v1_registry_household_get": Operation(REGISTRY_A),
    "pingan_api_v1_registry_household_update": Operation(REGISTRY_A_EDIT, {"kind": "collective"}),
    "pingan_api_v1_registry_key_persons": Operation(API_SIGNED_IN),
    # Every category is labelled and no one of the walk is cleared: refused to all.
    "pingan_api_v1_registry_key_person_create": Operation(
        rule(F403, anon=LOGIN), {"person": "{person_id}", "category": "released"}
    ),
    "pingan_api_v1_registry_key_person_get": Operation(REGISTRY_A),
    # Key persons are kept by grid leaders and dispatchers; visits by the grid roles too.
    "pingan_api_v1_registry_key_person_update": Operation(
        {**REGISTRY_A_EDIT, "gw": F403}, {"risk_level": "high"}
    ),
    "pingan_api_v1_registry_visit_create": Operation(REGISTRY_A_EDIT, {"outcome": "met"}),
    "pingan_api_v1_registry_visits_due": Operation(API_SIGNED_IN),
    "pingan_api_v1_registry_registry_stats": Operation(API_SIGNED_IN),
    # ---- places (issue 23) ----
    # Rental houses, places and cameras (docs/places.md, "Who may"): lists for everyone
    # signed in, each in their own scope; the records of town A's first grid are seen by
    # those whose regions cover it, and changed, checked and revealed by its grid worker,
    # grid leader and dispatchers (the county leader sees them masked: 403).
    "pingan_api_v1_places_rentals": Operation(API_SIGNED_IN),
    "pingan_api_v1_places_rental_new": Operation(
        OPERATIONS_REPORTERS, {"address": "城东路2号", "region": "{grid_a1}"}
    ),
    "pingan_api_v1_places_rental_get": Operation(PLACES_A1),
    "pingan_api_v1_places_rental_patch": Operation(PLACES_A1_WRITE, {"note": "备注"}),
    "pingan_api_v1_places_rental_tenant_add": Operation(
        PLACES_A1_WRITE, {"tenant": "{places_person}"}
    ),
    # A tenancy that does not exist: 422 for those who may write, after the scope check.
    "pingan_api_v1_places_rental_tenant_end": Operation(PLACES_A1_WRITE, {"tenancy": 999999}),
    "pingan_api_v1_places_rental_check": Operation(
        PLACES_A1_WRITE, {"items": "{places_rental_items}"}
    ),
    "pingan_api_v1_places_rental_personal": Operation(PLACES_A1_WRITE),
    "pingan_api_v1_places_rental_check_photo": Operation(
        PLACES_A1_WRITE, {"file": "{photo}"}, multipart=True
    ),
    "pingan_api_v1_places_checklists": Operation(API_SIGNED_IN),
    "pingan_api_v1_places_places": Operation(API_SIGNED_IN),
    "pingan_api_v1_places_place_new": Operation(
        OPERATIONS_REPORTERS, {"kind": "school", "name": "城东中学", "region": "{grid_a1}"}
    ),
    "pingan_api_v1_places_place_get": Operation(PLACES_A1),
    "pingan_api_v1_places_place_patch": Operation(PLACES_A1_WRITE, {"name": "城东实验小学"}),
    "pingan_api_v1_places_place_check": Operation(
        PLACES_A1_WRITE, {"items": "{places_place_items}"}
    ),
    "pingan_api_v1_places_place_personal": Operation(PLACES_A1_WRITE),
    "pingan_api_v1_places_place_check_photo": Operation(
        PLACES_A1_WRITE, {"file": "{photo}"}, multipart=True
    ),
    "pingan_api_v1_places_sectors": Operation(API_SIGNED_IN),
    "pingan_api_v1_places_check_photo_file": Operation(PLACES_A1),
    "pingan_api_v1_places_cameras_cameras": Operation(API_SIGNED_IN),
    "pingan_api_v1_places_cameras_camera_layer": Operation(API_SIGNED_IN),
    # Without lat/lng: 422 for everyone signed in.
    "pingan_api_v1_places_cameras_cameras_near_point": Operation(API_SIGNED_IN),
    # Cameras are registered by dispatchers (town B's: 422, grid A1 is not theirs).
    "pingan_api_v1_places_cameras_camera_new": Operation(
        rule(F403, anon=LOGIN, disp=OK, disp_b=OK, disp_c=OK),
        {"code": "WALK-2", "name": "城东路口", "kind": "social", "lat": 30.525, "lng": 120.945},
    ),
    "pingan_api_v1_places_cameras_camera_get": Operation(PLACES_A1),
    "pingan_api_v1_places_cameras_camera_patch": Operation(
        rule(F404, anon=LOGIN, gw=F403, gl=F403, leader=F403, disp=OK, disp_c=OK),
        {"name": "城东路口北"},
    ),
    # ---- risk (issue 22) ----
    # The register and the figures: everyone signed in, in their own scope. Registering:
    # the county office; changing the matter of town A's first grid: the office, the
    # others who see it are refused; 开始评估: the county dispatcher only.
    "pingan_api_v1_risk_matters": Operation(API_SIGNED_IN),
    "pingan_api_v1_risk_risk_stats": Operation(API_SIGNED_IN),
    "pingan_api_v1_risk_matter_add": Operation(
        rule(F403, anon=LOGIN, disp_c=OK, leader=OK),
        {"title": "海滨路拓宽工程", "owner_department": "{risk_department}", "region": "{grid_a1}"},
    ),
    "pingan_api_v1_risk_matter_get": Operation(
        rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, h_police=OK, leader=OK)
    ),
    "pingan_api_v1_risk_matter_patch": Operation(
        rule(F404, anon=LOGIN, gw=F403, gl=F403, disp=F403, disp_c=OK, h_police=F403, leader=OK),
        {"people_affected": 10},
    ),
    "pingan_api_v1_risk_matter_transition": Operation(
        rule(F404, anon=LOGIN, gw=F403, gl=F403, disp=F403, disp_c=OK, h_police=F403, leader=F403),
        {"action": "start"},
    ),
    # ---- emergency (issue 22) ----
    "pingan_api_v1_emergency_plans": Operation(API_SIGNED_IN),
    "pingan_api_v1_emergency_plan_get": Operation(API_SIGNED_IN),
    "pingan_api_v1_emergency_plan_post": Operation(
        EM_OFFICE,
        {"name": "预案", "kind": "other", "levels": ["IV"], "region": "{town_a}"},
    ),
    "pingan_api_v1_emergency_activations": Operation(API_SIGNED_IN),
    "pingan_api_v1_emergency_activation_get": Operation(EM_SEERS),
    "pingan_api_v1_emergency_activation_transition_post": Operation(
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            h_police=F403,
            h_market=F403,
            disp=OK,
            disp_c=OK,
            leader=OK,
        ),
        {"action": "arrive"},
    ),
    # 态势报告: everyone who sees it (region staff on site, the groups).
    "pingan_api_v1_emergency_report_post": Operation(EM_SEERS, {"text": "现场平稳"}),
    "pingan_api_v1_emergency_tasks_mine": Operation(API_SIGNED_IN),
    "pingan_api_v1_emergency_drills": Operation(API_SIGNED_IN),
    "pingan_api_v1_emergency_drill_post": Operation(
        EM_OFFICE,
        {
            "plan": "{plan_id}",
            "title": "演练",
            "region": "{town_a}",
            "planned_on": "{emergency_today}",
        },
    ),
    "pingan_api_v1_emergency_drill_record_post": Operation(
        EM_OFFICE, {"held_on": "{emergency_today}", "participants": 5, "findings": "无"}
    ),
    "pingan_api_v1_emergency_duty": Operation(API_SIGNED_IN),
    "pingan_api_v1_emergency_duty_post": Operation(
        EM_OFFICE,
        {
            "date": "{emergency_today}",
            "shift": "night",
            "region": "{town_a}",
            "user": "{emergency_user}",
            "role": "officer",
        },
    ),
    "pingan_api_v1_emergency_duty_delete": Operation(EM_OFFICE),
    "pingan_api_v1_emergency_duty_phone": Operation(EM_OFFICE),
    "pingan_api_v1_emergency_handover_post": Operation(
        EM_OFFICE,
        {"date": "{emergency_today}", "shift": "day", "region": "{town_a}", "note": "交接"},
    ),
    # ---- screening (issue 22) ----
    "pingan_api_v1_screenings_round_list_get": Operation(API_SIGNED_IN),
    "pingan_api_v1_screenings_round_get": Operation(
        rule(
            F404,
            anon=LOGIN,
            gw=OK,
            gl=OK,
            gw_b=OK,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=OK,
            leader_b=OK,
        )
    ),
    # A village round: the villages' people report (城东社区, 通元村); the towns' and the
    # county's people see it and report for their own levels (403); the rest do not see it.
    "pingan_api_v1_screenings_report_post": Operation(
        rule(
            F404,
            anon=LOGIN,
            gw=OK,
            gl=OK,
            gw_b=OK,
            disp=F403,
            disp_b=F403,
            disp_c=F403,
            leader=F403,
            leader_b=F403,
        ),
        {"none_found": True},
    ),
    "pingan_api_v1_screenings_item_disposition": Operation(
        rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, leader=F403),
        {"disposition": "handled", "note": "已在调处"},
    ),
    "pingan_api_v1_assessment_schemes": Operation(API_SIGNED_IN),
    "pingan_api_v1_assessment_scheme_add": Operation(
        rule(F403, anon=LOGIN, disp_c=OK), {"year": 2099}
    ),
    "pingan_api_v1_assessment_scheme_get": Operation(ASSESSMENT_SEERS),
    # The scheme is published: the office gets 409 (indicators are fixed), the rest 403/404.
    "pingan_api_v1_assessment_indicator_add": Operation(
        {**ASSESSMENT_SEERS_403, "disp_c": OK},
        {"code": "X1", "name": "试点", "weight": "5", "kind": "entered", "target": "100"},
    ),
    "pingan_api_v1_assessment_scheme_publish": Operation({**ASSESSMENT_SEERS_403, "disp_c": OK}),
    "pingan_api_v1_assessment_scheme_score": Operation({**ASSESSMENT_SEERS_403, "disp_c": OK}, {}),
    "pingan_api_v1_assessment_scheme_rank": Operation(
        {**ASSESSMENT_SEERS_403, "disp_c": OK}, {"appeal_deadline": "2099-12-31"}
    ),
    "pingan_api_v1_assessment_scheme_finalise": Operation({**ASSESSMENT_SEERS_403, "disp_c": OK}),
    "pingan_api_v1_assessment_scheme_ranking": Operation(
        {**ASSESSMENT_SEERS_403, "disp_c": OK, "leader": OK}
    ),
    # Query-bound reads (422 without ?scheme=&unit=): everyone signed in.
    "pingan_api_v1_assessment_scores": Operation(API_SIGNED_IN),
    "pingan_api_v1_assessment_entries": Operation(API_SIGNED_IN),
    "pingan_api_v1_assessment_appeal_list": Operation(API_SIGNED_IN),
    # Town A's value of B1: its dispatcher and the office; other units 403; the rest 404.
    "pingan_api_v1_assessment_entry_add": Operation(
        {**ASSESSMENT_SEERS_403, "disp": OK, "disp_c": OK},
        {
            "scheme": "{assessment_scheme}",
            "indicator": "{assessment_b1}",
            "unit": "{assessment_unit}",
            "value": "90",
        },
        multipart=True,
    ),
    "pingan_api_v1_assessment_entry_confirm": Operation(rule(F404, anon=LOGIN)),
    # A veto against town A: the office only; other seers 403, the rest 404.
    "pingan_api_v1_assessment_veto_add": Operation(
        {**ASSESSMENT_SEERS_403, "disp_c": OK},
        {
            "scheme": "{assessment_scheme}",
            "indicator": "{assessment_e1}",
            "unit": "{assessment_unit}",
            "reason": "发生重大群体性事件",
        },
        multipart=True,
    ),
    # Appeals wait for the published ranking: town A's dispatcher gets 409, others 403/404.
    "pingan_api_v1_assessment_appeal_add": Operation(
        {**ASSESSMENT_SEERS_403, "disp": OK},
        {"scheme": "{assessment_scheme}", "unit": "{assessment_unit}", "reason": "x", "score": 1},
    ),
    "pingan_api_v1_assessment_appeal_decide": Operation(rule(F404, anon=LOGIN), {"uphold": False}),
    "pingan_api_v1_assessment_agreements": Operation(ASSESSMENT_SEERS),
    "pingan_api_v1_assessment_agreement_document": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK)
    ),
    "pingan_api_v1_assessment_agreement_scan": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=F403), {"file": "{photo}"}, multipart=True
    ),
    "pingan_api_v1_inspections_checklist_list": Operation(SIGNED_IN),
    "pingan_api_v1_inspections_plan_list": Operation(SIGNED_IN),
    "pingan_api_v1_inspections_plan_add": Operation(
        rule(F403, anon=LOGIN, disp_c=OK),
        {
            "name": "2026年专项督查",
            "level": "special_group",
            "kind": "supervision",
            "frequency": "monthly",
            "year": 2026,
            "target_regions": ["{town_a}"],
            "inspectors": ["{inspection_inspector}"],
        },
    ),
    "pingan_api_v1_inspections_task_list": Operation(SIGNED_IN),
    "pingan_api_v1_inspections_inspection_list": Operation(SIGNED_IN),
    # Ad hoc inspections of town A: the county office (and county inspectors).
    "pingan_api_v1_inspections_inspection_add": Operation(
        rule(F403, anon=LOGIN, disp_c=OK),
        {
            "kind": "supervision",
            "unit_region": "{town_a}",
            "answers": [{"item": "P01", "result": "ok"}],
        },
    ),
    "pingan_api_v1_inspections_inspection_get": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK)
    ),
    "pingan_api_v1_inspections_inspection_photo": Operation(
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, leader=F403),
        {"file": "{photo}"},
        multipart=True,
    ),
    "pingan_api_v1_inspections_photo_file": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK)
    ),
    "pingan_api_v1_inspections_inspection_publish": Operation(
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, leader=F403)
    ),
    "pingan_api_v1_inspections_finding_order": Operation(
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, leader=F403),
        {"deadline": "{inspection_deadline}"},
    ),
    "pingan_api_v1_inspections_inspection_docx": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=OK)
    ),
    # A round's 通报: whoever sees the plan (the office, the county's leaders).
    "pingan_api_v1_inspections_round_docx": Operation(rule(F404, anon=LOGIN, disp_c=OK, leader=OK)),
    # The list and the deductions: everyone signed in, in their own scope. Issuing: the
    # county office. Town A's order (acknowledged, with evidence): its dispatchers, the
    # office and the county leader see it; 反馈 (submit) by town A's dispatcher only.
    # Cancelling town A's deduction: the office; the others who see it are refused.
    "rectification_list": Operation(API_SIGNED_IN),
    "rectification_deductions": Operation(API_SIGNED_IN),
    "rectification_create": Operation(
        rule(F403, anon=LOGIN, disp_c=OK),
        {
            "title": "消防通道堆放杂物",
            "requirement": "清理杂物",
            "deadline": "{rectification_deadline}",
            "region": "{grid_a1}",
            "unit": "{rectification_unit}",
        },
    ),
    "rectification_get": Operation(TOWN_A_SEERS),
    "rectification_transition": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=F403, leader=F403),
        {"action": "submit", "result": "已清理"},
    ),
    "rectification_evidence": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=F403, leader=F403),
        {"file": "{photo}"},
        multipart=True,
    ),
    "rectification_deduction_cancel": Operation(
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, leader=F403), {"reason": "申诉成立"}
    ),
    # The engine's generic route (/rectification/{case_id}/transitions, the same service as
    # the endpoint above): an unknown action is 422 before any lookup.
    "rectification_transition_create": Operation(
        rule(OK, anon=LOGIN), {"action": "no_such_action"}
    ),
    "pingan_api_v1_campaigns_campaigns_list": Operation(API_SIGNED_IN),
    "pingan_api_v1_campaigns_campaigns_create": Operation(
        rule(F403, anon=LOGIN, disp_c=OK),
        {
            "name": "清风行动",
            "starts_on": "{campaigns_today}",
            "ends_on": "{campaigns_today}",
            "targets": [{"metric": "events", "target": 10}],
        },
    ),
    "pingan_api_v1_campaigns_campaigns_get": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, h_police=OK, h_market=OK, leader=OK)
    ),
    "pingan_api_v1_campaigns_campaigns_patch": Operation(
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, h_police=F403, h_market=F403, leader=F403),
        {"name": "清风"},
    ),
    "pingan_api_v1_campaigns_campaigns_activate": Operation(
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, h_police=F403, h_market=F403, leader=F403)
    ),
    "pingan_api_v1_campaigns_campaigns_close": Operation(
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, h_police=F403, h_market=F403, leader=F403),
        {"summary": "总结"},
    ),
    "pingan_api_v1_campaigns_campaigns_target_value": Operation(
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, h_police=F403, h_market=F403, leader=F403),
        {"value": 5, "note": "汇总"},
    ),
    "pingan_api_v1_campaigns_campaigns_events": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, h_police=OK, h_market=OK, leader=OK)
    ),
    "pingan_api_v1_campaigns_campaigns_event_add": Operation(
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, h_police=F403, h_market=F403, leader=F403),
        {"event": "{event}"},
    ),
    "pingan_api_v1_campaigns_campaigns_event_remove": Operation(
        rule(F404, anon=LOGIN, disp=F403, disp_c=OK, h_police=F403, h_market=F403, leader=F403)
    ),
    "pingan_api_v1_campaigns_campaigns_report": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, h_police=OK, h_market=OK, leader=OK)
    ),
    "pingan_api_v1_campaigns_listings_list": Operation(API_SIGNED_IN),
    "pingan_api_v1_campaigns_listings_map": Operation(API_SIGNED_IN),
    "pingan_api_v1_campaigns_listings_create": Operation(
        rule(F403, anon=LOGIN, disp_c=OK),
        {
            "kind": "key_area",
            "name": "老街片区",
            "region": "{grid_a1}",
            "unit_region": "{town_a}",
            "target": "治安案件下降",
            "deadline": "{campaigns_later}",
        },
    ),
    "pingan_api_v1_campaigns_listings_get": Operation(
        rule(F404, anon=LOGIN, gw=OK, gl=OK, disp=OK, disp_c=OK, leader=OK)
    ),
    # 报告进展: the owner town's dispatcher; the others who see it are refused.
    "pingan_api_v1_campaigns_listings_progress": Operation(
        rule(F404, anon=LOGIN, gw=F403, gl=F403, disp=OK, disp_c=F403, leader=F403),
        {"text": "清理占道摊点"},
    ),
    # 延长期限: the county office; the others who see it are refused.
    "pingan_api_v1_campaigns_listings_transition": Operation(
        rule(F404, anon=LOGIN, gw=F403, gl=F403, disp=F403, disp_c=OK, leader=F403),
        {"action": "extend", "deadline": "{campaigns_later}", "note": "汛期顺延"},
    ),
    # The engine's generic route (its {case_id} is the walk's mediation case): an unknown
    # action is 422 for everyone signed in, before any lookup.
    "listing_transition_create": Operation(API_SIGNED_IN, {"action": "walk"}),
    "pingan_api_v1_surveys_survey_list_get": Operation(API_SIGNED_IN),
    "pingan_api_v1_surveys_survey_post": Operation(
        rule(F403, anon=LOGIN, disp_c=OK),
        {
            "title": "问卷",
            "kind": "other",
            "year": 2026,
            "opens_on": "2026-01-01",
            "closes_on": "2026-02-01",
            "questions": [{"text": "意见", "kind": "text"}],
        },
    ),
    "pingan_api_v1_surveys_survey_get": Operation(
        rule(
            F404,
            anon=LOGIN,
            gw=OK,
            gl=OK,
            gw_b=OK,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=OK,
            leader_b=OK,
        )
    ),
    # The survey is open: the office gets 409 for editing and opening it again.
    "pingan_api_v1_surveys_survey_patch": Operation(
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            gw_b=F403,
            disp=F403,
            disp_b=F403,
            disp_c=OK,
            leader=F403,
            leader_b=F403,
        ),
        {"title": "改"},
    ),
    "pingan_api_v1_surveys_survey_open_post": Operation(
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            gw_b=F403,
            disp=F403,
            disp_b=F403,
            disp_c=OK,
            leader=F403,
            leader_b=F403,
        )
    ),
    "pingan_api_v1_surveys_survey_close_post": Operation(
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            gw_b=F403,
            disp=F403,
            disp_b=F403,
            disp_c=OK,
            leader=F403,
            leader_b=F403,
        )
    ),
    # Grid workers and grid leaders answer for their grids; the rest who see it may not.
    "pingan_api_v1_surveys_response_post": Operation(
        rule(
            F404,
            anon=LOGIN,
            gw=OK,
            gl=OK,
            gw_b=OK,
            disp=F403,
            disp_b=F403,
            disp_c=F403,
            leader=F403,
            leader_b=F403,
        ),
        {"answers": "{survey_answers}"},
    ),
    "pingan_api_v1_surveys_response_list_get": Operation(
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            gw_b=F403,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=F403,
            leader_b=F403,
        )
    ),
    "pingan_api_v1_surveys_field_surveys_get": Operation(API_SIGNED_IN),
    "pingan_api_v1_surveys_results_get": Operation(
        rule(
            F404,
            anon=LOGIN,
            gw=F403,
            gl=F403,
            gw_b=F403,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=OK,
            leader_b=OK,
        )
    ),
    "pingan_api_v1_safety_figures_get": Operation(
        rule(
            F403,
            anon=LOGIN,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=OK,
            leader_b=OK,
        )
    ),
    "pingan_api_v1_safety_figures_post": Operation(
        rule(F403, anon=LOGIN, disp=OK, disp_c=OK),
        {"town": "{town_a}", "month": "2026-02", "accidents": "1"},
        multipart=True,
    ),
    "pingan_api_v1_safety_figure_patch": Operation(
        rule(F404, anon=LOGIN, disp=OK, disp_c=OK, leader=F403), {"deaths": 0}
    ),
    # No file sent: 422 for those who enter figures, 403 for the others.
    "pingan_api_v1_safety_figures_import": Operation(
        rule(
            F403,
            anon=LOGIN,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
        ),
        {},
        multipart=True,
    ),
    "pingan_api_v1_safety_zero_growth_get": Operation(
        rule(
            F403,
            anon=LOGIN,
            disp=OK,
            disp_b=OK,
            disp_c=OK,
            leader=OK,
            leader_b=OK,
        )
    ),
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
    text = str(pattern).lstrip("^").rstrip("$").replace("\\Z", "").replace("\\.", ".")

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
    # The three administrators: roles, no superuser (production refuses one).
    secadmin = user_upsert(username="secadmin", name="安全管理员", password=cast.password)
    membership_grant(user=secadmin, role=Role.SEC_ADMIN)
    auditadmin = user_upsert(username="auditadmin", name="审计管理员", password=cast.password)
    membership_grant(user=auditadmin, role=Role.AUDIT_ADMIN)
    event = dispatched_to_police(cast, reporter_phone="13812345678", reporter_name="张三")
    reported = report(cast)
    now = clock.now()
    photo = Attachment.objects.create(
        event=event, kind="report", file=_photo(), thumbnail=_photo(), uploaded_by=cast.gridworker
    )
    meeting = Meeting.objects.create(
        region=cast.town_a,
        region_path=cast.town_a.path,
        kind=MeetingKind.choices[0][0],
        title="联席会议",
        held_at=now,
        agenda="议程",
        created_by=cast.dispatcher,
    )
    briefing = Briefing.objects.create(
        title="简报",
        region=cast.town_a,
        date_from=now.date(),
        date_to=now.date(),
        format="pdf",
        file=ContentFile(b"%PDF-1.4", name="b.pdf"),
        created_at=now,
        created_by=cast.leader,
    )
    job = ExportJob.objects.create(
        kind="events",
        state="done",
        total=1,
        done=1,
        created_at=now,
        created_by=cast.dispatcher,
        file=ContentFile(b"PK", name="e.xlsx"),
    )
    lock = PeriodLock.objects.create(
        date_from=dt.date(2020, 1, 1),
        date_to=dt.date(2020, 1, 31),
        locked_at=now,
        locked_by=cast.leader,
    )
    patrol, _ = patrol_start(actor=cast.gridworker, client_uuid=uuid.uuid4(), started_at=now)
    from pingan.privacy.services import export_request_create

    export = export_request_create(
        user=cast.dispatcher, kind="events", filters={}, row_count=900, reason="分析"
    )
    post, _ = post_add(
        actor=cast.dispatcher,
        platform="本地论坛",
        url="https://bbs.example.invalid/t/1",
        text="城东小区门口有人聚集",
        posted_at=now,
    )
    token_issue(user=cast.gridworker)
    gw_token = ApiToken.objects.filter(user=cast.gridworker).latest("pk")
    mediation = new_case(cast)  # town A's dispatcher, at 城东社区第一网格
    committee = committee_create(
        name="城东社区人民调解委员会", level="village", region=cast.village_a
    )
    extra: dict[str, Any] = {}  # each app's walk objects, by the names its URLs use
    from pingan.access.actor import Actor as RegistryActor
    from pingan.registry import services as registry_services
    from pingan.registry.models import PointsRule as RegistryPointsRule

    reg_system = RegistryActor.system("walk")
    reg_household = registry_services.household_create(
        actor=reg_system, region=cast.grid_a1, number="REG-WALK-1"
    )
    reg_person = registry_services.person_create(
        actor=reg_system,
        region=cast.grid_a1,
        name="登记测试",
        id_number="330424199105170031",
        kind="new_resident",
        household=reg_household.pk,
    )
    reg_permit = registry_services.permit_apply(actor=reg_system, person_id=reg_person.pk)
    RegistryPointsRule.objects.create(code="walk-volunteer", item="志愿服务", points=5)
    reg_entry = registry_services.points_add(
        actor=reg_system, person_id=reg_person.pk, rule="walk-volunteer", reason="志愿服务"
    )
    reg_kp = registry_services.key_person_create(
        actor=reg_system, person_id=reg_person.pk, category="youth", sensitivity=""
    )
    extra["person_id"] = reg_person.pk
    extra["household_id"] = reg_household.pk
    extra["permit_id"] = reg_permit.pk
    extra["points_entry_id"] = reg_entry.pk
    extra["key_person_id"] = reg_kp.pk
    extra["registry_today"] = registry_services.today().isoformat()
    extra["registry_later"] = (registry_services.today() + dt.timedelta(days=365)).isoformat()
    # registry pages (regpages): a person with a household, a rental house, a place and a
    # key person in town A's first grid.
    from pingan.places.services import place_create, rental_create
    from pingan.registry.models import KeyPerson, KeyPersonCategory
    from pingan.registry.services import household_create, person_create

    rp_household = household_create(actor=cast.dispatcher, region=cast.grid_a1.pk, number="WALK-1")
    rp_person = person_create(
        actor=cast.dispatcher,
        region=cast.grid_a1.pk,
        name="走访测试",
        id_number="110101199003070011",
        phone="13800001111",
        household=rp_household.pk,
    )
    rp_rental, _ = rental_create(
        actor=cast.dispatcher, data={"region": cast.grid_a1.pk, "address": "城东路1号"}
    )
    rp_place, _ = place_create(
        actor=cast.dispatcher,
        data={"region": cast.grid_a1.pk, "kind": "school", "name": "城东小学"},
    )
    rp_kp = KeyPerson.objects.create(
        person=rp_person,
        category=KeyPersonCategory.objects.get(code="corrections"),
        since=now.date(),
        sensitivity="corrections",
        region=cast.grid_a1,
        region_path=cast.grid_a1.path,
    )
    rp_kp.helpers.add(cast.gridleader)
    extra["regpages_person"] = rp_person.pk
    extra["regpages_household"] = rp_household.pk
    extra["regpages_rental"] = rp_rental.pk
    extra["regpages_place"] = rp_place.pk
    extra["regpages_key_person"] = rp_kp.pk
    from pingan.places.models import CheckPhoto as _PlacesPhoto
    from pingan.places.tests import factories as _places

    places_house = _places.new_rental(cast)
    places_check = _places.check_rental(places_house, cast.gridworker)
    places_place = _places.new_place(cast)
    places_place_check = _places.check_place(places_place, cast.gridworker)
    places_photo = _PlacesPhoto.objects.create(
        rental_check=places_check, file=_photo(), uploaded_by=cast.gridworker
    )
    places_camera = _places.new_camera(cast, "WALK-1", 30.525, 120.945)
    extra["rental_id"] = places_house.pk
    extra["rental_check_id"] = places_check.pk
    extra["place_id"] = places_place.pk
    extra["place_check_id"] = places_place_check.pk
    extra["check_photo_id"] = places_photo.pk
    extra["camera_id"] = places_camera.pk
    extra["places_person"] = _places.person(cast, "走访租客", id_number=_places.ID_NUMBERS[2]).pk
    extra["places_rental_items"] = _places.rental_items()
    extra["places_place_items"] = _places.place_items()
    from pingan.risk.tests.factories import new_matter as risk_new_matter

    extra["risk_matter_id"] = risk_new_matter(cast).pk  # town A's first grid, the police's
    extra["risk_department"] = cast.housing.pk
    from django.utils import timezone as _em_tz

    from pingan.emergency.services import activation_from_event as _em_activate
    from pingan.emergency.services import drill_create as _em_drill
    from pingan.emergency.services import duty_shift_create as _em_duty
    from pingan.emergency.services import situation_report as _em_report
    from pingan.emergency.tests.factories import wage_plan as _em_plan

    _em_event = report(cast)  # town A, reported by the grid worker
    _em_p = _em_plan(cast)  # groups: police (谈判组), market (安抚组), the grid worker
    _em_a = _em_activate(actor=cast.dispatcher, event_id=_em_event.pk, plan=_em_p.pk, level="IV")
    _em_today = _em_tz.localdate(now).isoformat()
    extra["plan_id"] = _em_p.pk
    extra["activation_id"] = _em_a.pk
    extra["emergency_event"] = _em_event.pk
    extra["emergency_group"] = _em_a.groups.get(name="谈判组").pk
    extra["emergency_report"] = _em_report(
        actor=cast.dispatcher, activation_id=_em_a.pk, payload={"text": "现场平稳"}, photo=_photo()
    ).pk
    extra["drill_id"] = _em_drill(
        actor=cast.dispatcher,
        plan=_em_p.pk,
        title="演练",
        region=cast.town_a.pk,
        planned_on=_em_today,
    ).pk
    extra["duty_shift_id"] = _em_duty(
        actor=cast.dispatcher,
        date=_em_today,
        shift="day",
        region=cast.town_a.pk,
        user=cast.dispatcher.pk,
        role="officer",
        phone="13900001111",
    ).pk
    extra["emergency_today"] = _em_today
    extra["emergency_user"] = cast.gridworker.pk
    from pingan.screening.models import ScreeningRound as _ScreeningRound
    from pingan.screening.services import report_submit as _screening_report
    from pingan.screening.services import rounds_generate as _screening_generate

    _screening_generate()
    _sround = _ScreeningRound.objects.get(level="village")
    _sreport = _screening_report(
        actor=cast.gridleader,
        round_id=_sround.pk,
        none_found=False,
        items=[{"kind": "dispute", "summary": "邻里纠纷", "risk_level": "low"}],
    )
    extra["screening_round"] = extra["screening_round_id"] = _sround.pk
    extra["screening_item"] = extra["screening_item_id"] = _sreport.items.get().pk
    from pingan.campaigns.services import campaign_event_add as _campaign_tag
    from pingan.campaigns.tests.factories import at_state as _listing_at
    from pingan.campaigns.tests.factories import new_campaign as _new_campaign

    _campaign = _new_campaign(cast)  # active, town A, hazards; the county office's
    extra["campaign_id"] = _campaign.pk
    extra["campaign_target_id"] = _campaign.targets.get(metric="entered").pk
    # The walk's event (a dispute of town A) tagged by hand: untagging it is allowed.
    _campaign_tag(actor=cast.county_dispatcher, campaign_id=_campaign.pk, event_id=event.pk)
    extra["listing_id"] = _listing_at(cast, "rectifying").pk  # grid A1, town A its owner
    from django.utils import timezone as _campaigns_tz

    _campaigns_today = _campaigns_tz.localdate(clock.now())
    extra["campaigns_today"] = _campaigns_today.isoformat()
    extra["campaigns_later"] = (_campaigns_today + dt.timedelta(days=90)).isoformat()
    from pingan.rectification.services import deduction_add as _zg_deduct
    from pingan.rectification.tests import factories as _zg

    _zg_order = _zg.acknowledged(cast, _zg.new_order(cast, watchers=()))  # town A's
    extra["rectification_id"] = _zg_order.pk
    extra["rectification_evidence_id"] = _zg.photo(_zg_order, cast.dispatcher).pk
    extra["rectification_unit"] = f"region:{cast.town_a.pk}"
    extra["rectification_deadline"] = (_zg.today() + dt.timedelta(days=5)).isoformat()
    extra["rectification_deduction_id"] = _zg_deduct(
        actor=cast.county_dispatcher,
        unit_region_id=cast.town_a.pk,
        unit_department_id=None,
        points=_zg.Decimal("1"),
        reason="暗访发现值班缺岗",
        source_kind="inspection",
        source_id=None,
        source_label="暗访",
        on=_zg.today(),
    ).pk
    from pingan.inspections import services as _insp_services
    from pingan.inspections.tests import factories as _insp

    _insp_user = _insp.inspector(cast, "walk-inspector")
    _insp_plan = _insp.plan(
        cast, year=clock.now().year, inspectors=[_insp_user], towns=[cast.town_a]
    )
    _insp_done = _insp.submit(_insp_user, unit=cast.town_a, problems=("P05",))
    extra["inspection_id"] = _insp_done.pk
    extra["inspection_finding_id"] = _insp_done.findings.get().pk
    extra["inspection_photo_id"] = _insp_services.inspection_photo_add(
        actor=_insp_user, inspection_id=_insp_done.pk, upload=_photo()
    )[0].pk
    extra["inspection_plan_id"] = _insp_plan.pk
    extra["inspection_period"] = clock.now().date().replace(day=1).isoformat()
    extra["inspection_deadline"] = (clock.now().date() + dt.timedelta(days=30)).isoformat()
    extra["inspection_inspector"] = _insp_user.pk
    from pingan.safety.services import figure_save as _safety_save
    from pingan.surveys.tests.factories import answers as _survey_answers
    from pingan.surveys.tests.factories import security_survey as _security_survey

    _survey = _security_survey(cast)
    extra["survey_id"] = _survey.pk
    extra["survey_token"] = _survey.token
    extra["survey_answers"] = _survey_answers(_survey)
    extra["safety_figure_id"] = _safety_save(
        actor=cast.county_dispatcher,
        town_id=cast.town_a.pk,
        month="2026-01",
        data={"accidents": 1},
        evidence=b"%PDF-1.4 walk %%EOF",
    )[0].pk
    from pingan.access.actor import Actor as _AsActor
    from pingan.assessment.models import Agreement as _AsAgreement
    from pingan.assessment.scoring import scheme_score as _as_score
    from pingan.assessment.services import scheme_create as _as_create
    from pingan.assessment.services import scheme_publish as _as_publish

    _as_office = _AsActor.for_user(cast.county_dispatcher)
    _as_scheme = _as_create(actor=_as_office, year=clock.now().year)
    _as_publish(actor=_as_office, scheme_id=_as_scheme.pk)
    _as_score(actor=_as_office, scheme_id=_as_scheme.pk)
    extra["assessment_scheme"] = extra["assessment_scheme_id"] = _as_scheme.pk
    extra["assessment_unit"] = f"town:{cast.town_a.pk}"
    extra["assessment_b1"] = _as_scheme.indicators.get(code="B1").pk
    extra["assessment_e1"] = _as_scheme.indicators.get(code="E1").pk
    extra["assessment_agreement"] = extra["assessment_agreement_id"] = _AsAgreement.objects.get(
        scheme=_as_scheme, unit_region=cast.town_a
    ).pk
    extra["assessment_entry_id"] = extra["assessment_appeal_id"] = 999999
    values = {
        "event": event.pk,
        "event_id": event.pk,
        "event_code": event.code,
        "event_reported": reported.pk,
        "export_request": export.pk,
        "alert_id": 999999,
        "request_id": export.pk,
        "category": cast.neighbour.pk,
        "grid_a1": cast.grid_a1.pk,
        "region_id": cast.town_a.pk,
        "content_type_id": ContentType.objects.get_for_model(Event).pk,
        "password": cast.password,
        "town_a": cast.town_a.pk,
        "service_code": cast.neighbour.code,
        "captcha": CaptchaStore.generate_key(),
        "attachment": photo.pk,
        "attachment_id": photo.pk,
        "meeting": meeting.pk,
        "briefing": briefing.pk,
        "briefing_id": briefing.pk,
        "job": job.pk,
        "job_id": job.pk,
        "lock_id": lock.pk,
        "lead": post.lead_id,
        "token_id": gw_token.pk,
        "patrol_id": patrol.pk,
        "case_id": mediation.pk,
        "kind": "application",
        "doc_id": 999999,
        "committee_id": committee.pk,
        "order_no": "12345-0001",
        "uuid": "0b7c6a52-7d1e-4a43-9a55-7f8a2f1b9c01",
        "now": now.isoformat(),
        "later": (now + dt.timedelta(days=2)).isoformat(),
    }
    values.update(extra)
    users: dict[str, Any] = {u: getattr(cast, a) for u, a in CAST_ATTR.items()}
    users["secadmin"] = secadmin
    users["auditadmin"] = auditadmin
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
            page = Page("GET", admin_rule(name, template))
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
