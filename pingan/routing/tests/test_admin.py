"""The back office (Django admin): in Chinese, complete, and unable to bypass the workflow.

Lives with routing because routing/** is where its author may write tests; it covers the
admin of core, accounts, geo, org, events and routing.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from pingan.accounts.services import token_issue
from pingan.core.models import AuditEntry
from pingan.events.choices import Status
from pingan.events.services import event_report
from pingan.org.models import Membership
from pingan.org.services import user_upsert
from pingan.routing.services import routing_rule_create

APPS = {"core", "accounts", "geo", "org", "events", "routing"}
INLINE_ONLY = {"events.CategoryDeadline"}  # edited inside its category


@pytest.fixture
def superuser(cast):
    u = user_upsert(username="root", name="超级管理员", password=cast.password)
    u.is_staff = u.is_superuser = True
    u.save()
    return u


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def event(cast):
    lat, lng = cast.point_a1
    e, _ = event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="楼道堆放杂物",
        lat=lat,
        lng=lng,
    )
    return e


def test_every_model_of_the_core_apps_is_in_the_admin():
    from django.apps import apps

    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            name = f"{label}.{model.__name__}"
            assert admin.site.is_registered(model) or name in INLINE_ONLY, f"{name} not in admin"


def test_every_page_renders_in_chinese(staff_client, cast, event):
    routing_rule_create(
        category=cast.neighbour,
        region=cast.town_a,
        lead_department=cast.police,
        assisting_departments=[cast.market],
    )
    token_issue(user=cast.gridworker)
    index = staff_client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "平安·基层社会治理 管理后台" in index.content.decode()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        r = staff_client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert r.status_code == 200, info
        obj = model._default_manager.first()
        if obj is not None:
            r = staff_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            assert r.status_code == 200, info
        if model_admin.has_add_permission(r.wsgi_request):
            r = staff_client.get(reverse("admin:{}_{}_add".format(*info)))
            assert r.status_code == 200, info


def test_event_status_cannot_be_set_by_hand(staff_client, event):
    url = reverse("admin:events_event_change", args=[event.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="status"' not in page
    r = staff_client.post(
        url,
        {
            "title": "更正后的标题",
            "description": event.description,
            "address": "",
            "reporter_name": "",
            "reporter_phone": "",
            "status": Status.CLOSED,
            "closed_at": "2026-01-01 00:00:00",
            **_empty_inlines(),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    event.refresh_from_db()
    assert event.title == "更正后的标题"
    assert event.status == Status.REPORTED and event.closed_at is None
    assert AuditEntry.objects.filter(action="admin.event_change").exists()
    assert staff_client.get(reverse("admin:events_event_add")).status_code == 403
    assert (
        staff_client.get(reverse("admin:events_event_delete", args=[event.pk])).status_code == 403
    )


def _empty_inlines():
    data = {}
    for prefix in ("assignments", "timeline", "attachments"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "0",
            }
        )
    return data


def test_audit_log_is_read_only(staff_client, event):
    entry = AuditEntry.objects.first()
    assert staff_client.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert (
        staff_client.get(reverse("admin:core_auditentry_delete", args=[entry.pk])).status_code
        == 403
    )
    page = staff_client.get(reverse("admin:core_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200 and 'name="action"' not in page.content.decode()


def test_token_and_password_hashes_are_not_editable(staff_client, cast):
    token_issue(user=cast.gridworker)
    token = cast.gridworker.api_tokens.get()
    page = staff_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert token.key_hash not in page.content.decode()
    user_page = staff_client.get(
        reverse("admin:accounts_user_change", args=[cast.gridworker.pk])
    ).content.decode()
    assert cast.gridworker.password not in user_page
    assert 'name="password"' not in user_page
    assert "角色授权" in user_page  # memberships inline


def test_membership_of_a_handler_needs_a_department(staff_client, cast):
    r = staff_client.post(
        reverse("admin:org_membership_add"),
        {"user": cast.gridworker.pk, "role": "handler", "is_active": "on"},
    )
    assert r.status_code == 200
    assert "部门处置人员须指定部门" in r.content.decode()
    assert not Membership.objects.filter(user=cast.gridworker, role="handler").exists()


def test_category_extra_fields_are_checked(staff_client, cast):
    r = staff_client.post(
        reverse("admin:events_category_change", args=[cast.fire.pk]),
        {
            "code": cast.fire.code,
            "name": cast.fire.name,
            "parent": cast.hazard.pk,
            "extra_fields": '[{"name": "place_kind", "type": "choice"}]',
            "sort": 0,
            "is_active": "on",
            "deadlines-TOTAL_FORMS": "0",
            "deadlines-INITIAL_FORMS": "0",
            "deadlines-MIN_NUM_FORMS": "0",
            "deadlines-MAX_NUM_FORMS": "1000",
        },
    )
    assert r.status_code == 200
    assert "缺少 label" in r.content.decode()
