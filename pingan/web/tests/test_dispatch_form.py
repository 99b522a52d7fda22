"""The dispatch form (issue 17): one step 受理并派遣, a searchable department picker grouped
by level and town with the suggestion first and selected, 协办 by checkboxes, and the
deadlines shown before confirming; as a plain form and in a real browser."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pingan.core import clock
from pingan.events.choices import AssignmentRole, Status
from pingan.events.models import Assignment, Event
from pingan.events.services import event_report, event_transition
from pingan.events.workflow import fresh_deadlines
from pingan.org.services import department_upsert
from pingan.web.tests.browser import launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HX = {"HTTP_HX_REQUEST": "true"}


def _report(cast):
    lat, lng = cast.point_a1
    return event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="城东小区3幢楼道堆放杂物，邻居争吵",
        lat=lat,
        lng=lng,
    )[0]


def _more_departments(cast):
    """A directory like a county's: bureaus at the county, offices in the towns."""
    town_a = [
        department_upsert(code=f"A-{i}", name=name, region=cast.town_a)
        for i, name in enumerate(["武原街道综治办", "武原街道城管中队", "武原街道司法所"])
    ]
    town_b = [department_upsert(code="B-1", name="通元镇综治办", region=cast.town_b)]
    return town_a, town_b


def test_the_form_groups_departments_and_puts_the_suggestion_first(cast, client):
    town_a, town_b = _more_departments(cast)
    e = _report(cast)
    client.force_login(cast.dispatcher)
    r = client.get(reverse("event_action", args=[e.pk, "accept_dispatch"]), **HX)
    html = r.content.decode()
    assert r.status_code == 200
    # The category's default department (the police) is the suggestion: first and chosen.
    radios = re.findall(r'name="lead_department" value="(\d+)"( checked)?', html)
    assert radios[0] == (str(cast.police.pk), " checked")
    assert [v for v, checked in radios if checked] == [str(cast.police.pk)]
    # Grouped under their level or town, in that order; every department once.
    groups = re.findall(r'<p class="dept-group-name">([^<]+)</p>', html)
    assert groups == ["推荐", "海盐县 县级部门", "武原街道", "通元镇"]
    assert len(radios) == 3 + len(town_a) + len(town_b)
    # 协办 by checkboxes, no multiple select; a search box; the deadlines before confirming.
    assert 'name="assisting_departments" value=' in html and "multiple" not in html
    assert "data-dept-search" in html
    _ack, due = fresh_deadlines(e, clock.now())
    preview = re.search(r'data-deadline="handle">([^<]+)<', html)
    assert preview is not None
    shown = dt.datetime.strptime(preview.group(1), "%Y-%m-%d %H:%M")
    assert abs(timezone.make_aware(shown) - due) <= dt.timedelta(minutes=2)


def test_the_plain_form_accepts_and_dispatches(cast, client):
    e = _report(cast)
    client.force_login(cast.dispatcher)
    r = client.post(
        reverse("event_action", args=[e.pk, "accept_dispatch"]),
        {"lead_department": cast.market.pk, "assisting_departments": [cast.housing.pk]},
    )
    assert r.status_code == 302
    e = Event.objects.get(pk=e.pk)
    assert e.status == Status.DISPATCHED and e.accepted_at is not None
    assert set(Assignment.objects.filter(event=e).values_list("department_id", "role")) == {
        (cast.market.pk, AssignmentRole.LEAD),
        (cast.housing.pk, AssignmentRole.ASSIST),
    }


def test_a_refused_dispatch_shows_the_reason_and_keeps_the_choices(cast, client):
    e = _report(cast)
    client.force_login(cast.dispatcher)
    r = client.post(
        reverse("event_action", args=[e.pk, "accept_dispatch"]),
        {"lead_department": cast.police.pk, "assisting_departments": [cast.police.pk]},
        **HX,
    )
    html = r.content.decode()
    assert r.status_code == 422
    assert "协办部门不能与主办部门相同" in html
    assert re.search(rf'name="lead_department" value="{cast.police.pk}" checked', html)
    assert Event.objects.get(pk=e.pk).status == Status.REPORTED


def test_the_consultation_conclusion_prefills_the_dispatch_form(cast, client):
    e = _report(cast)
    event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    event_transition(
        actor=cast.leader,
        event_id=e.pk,
        action="consult",
        payload={"invited_departments": [cast.market.pk, cast.housing.pk], "topic": "谁主办"},
    )
    event_transition(
        actor=cast.leader,
        event_id=e.pk,
        action="conclude_consult",
        payload={
            "participants": "市监、住建",
            "conclusion": "住建主办，市监协办",
            "suggested_lead": cast.housing.pk,
            "suggested_assisting": [cast.market.pk],
        },
    )
    client.force_login(cast.dispatcher)
    html = client.get(reverse("event_action", args=[e.pk, "dispatch"]), **HX).content.decode()
    assert re.search(rf'name="lead_department" value="{cast.housing.pk}" checked', html)
    assert re.search(rf'name="assisting_departments" value="{cast.market.pk}" checked', html)
    assert "会商结论" in html


def test_reassign_and_assist_forms_offer_only_what_fits(cast, client):
    e = _report(cast)
    event_transition(
        actor=cast.dispatcher,
        event_id=e.pk,
        action="accept_dispatch",
        payload={"lead_department": cast.police.pk, "assisting_departments": [cast.market.pk]},
    )
    client.force_login(cast.dispatcher)

    def offered(action: str, field: str) -> set[int]:
        html = client.get(reverse("event_action", args=[e.pk, action]), **HX).content.decode()
        return {int(v) for v in re.findall(rf'name="{field}" value="(\d+)"', html)}

    assert cast.police.pk not in offered("reassign", "lead_department")
    assert offered("add_assist", "department") == {cast.housing.pk}
    assert offered("remove_assist", "department") == {cast.market.pk}
    r = client.post(
        reverse("event_action", args=[e.pk, "reassign"]),
        {"lead_department": cast.housing.pk, "note": "职能不符"},
        **HX,
    )
    assert r.status_code == 200
    assert Event.objects.get(pk=e.pk).lead_department_id == cast.housing.pk


def test_the_deadline_fragment_is_scoped(cast, client):
    e = _report(cast)
    client.force_login(cast.dispatcher)
    r = client.get(reverse("event_dispatch_deadlines", args=[e.pk]), **HX)
    assert r.status_code == 200 and 'data-deadline="ack"' in r.content.decode()
    client.force_login(cast.dispatcher_b)
    assert client.get(reverse("event_dispatch_deadlines", args=[e.pk])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pick_search_preview_and_submit_in_the_browser(cast, live_server):
    from playwright.sync_api import sync_playwright

    _more_departments(cast)
    e = _report(cast)
    form = "#action-form-accept_dispatch"
    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "disp-a", cast.password)
            page.goto(f"/events/{e.pk}/")
            page.click("#event-page .ev-actions a[data-action=accept_dispatch]")
            page.wait_for_selector(f"#action-panel {form} form")

            # The suggestion is first and already chosen as lead.
            first = page.locator(f"{form} input[name=lead_department]").first
            assert first.get_attribute("value") == str(cast.police.pk)
            assert first.is_checked()

            # Searching narrows the list; the chosen lead stays in view.
            page.fill(f"{form} [data-dept-search]", "住建")
            housing = f'{form} [data-dept-row]:has(input[value="{cast.housing.pk}"])'
            market = f'{form} [data-dept-row]:has(input[value="{cast.market.pk}"])'
            page.wait_for_selector(market, state="hidden")
            assert page.is_visible(housing)
            assert page.is_hidden(f'{form} [data-dept-row]:has-text("武原街道司法所")')
            page.check(f"{housing} input[name=assisting_departments]")
            page.fill(f"{form} [data-dept-search]", "查无此部门")
            page.wait_for_selector(f"{form} [data-dept-none]", state="visible")
            page.fill(f"{form} [data-dept-search]", "")
            page.wait_for_selector(market, state="visible")

            # The deadlines are on the form before confirming.
            shown = page.inner_text(f'{form} [data-deadline="handle"]').strip()
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", shown)

            page.click(f"{form} button[type=submit]")
            page.wait_for_selector(f'#event-page [data-status="{Status.DISPATCHED}"]')
            ctx.close()
        finally:
            browser.close()

    e = Event.objects.get(pk=e.pk)
    assert e.accepted_at is not None and e.status == Status.DISPATCHED
    assert set(Assignment.objects.filter(event=e).values_list("department_id", "role")) == {
        (cast.police.pk, AssignmentRole.LEAD),
        (cast.housing.pk, AssignmentRole.ASSIST),
    }
    set_due = timezone.localtime(e.due_at).replace(tzinfo=None)
    assert abs(dt.datetime.strptime(shown, "%Y-%m-%d %H:%M") - set_due) <= dt.timedelta(minutes=2)


def test_consult_and_supervise_forms_work_as_plain_forms(cast, client):
    e = _report(cast)
    event_transition(
        actor=cast.dispatcher,
        event_id=e.pk,
        action="accept_dispatch",
        payload={"lead_department": cast.police.pk},
    )
    client.force_login(cast.leader)
    html = client.get(reverse("event_action", args=[e.pk, "consult"]), **HX).content.decode()
    assert 'name="invited_departments"' in html and 'name="topic"' in html
    r = client.post(
        reverse("event_action", args=[e.pk, "consult"]),
        {"invited_departments": [cast.market.pk], "topic": "是否需要市监参与", "scheduled_at": ""},
    )
    assert r.status_code == 302
    html = client.get(reverse("event_action", args=[e.pk, "conclude_consult"]), **HX)
    assert "是否需要市监参与" in html.content.decode()
    r = client.post(
        reverse("event_action", args=[e.pk, "conclude_consult"]),
        {"participants": "公安、市监", "conclusion": "市监协办", "suggested_lead": ""},
    )
    assert r.status_code == 302

    html = client.get(reverse("event_action", args=[e.pk, "supervise"]), **HX).content.decode()
    assert 'name="level" value="normal" checked' in html and 'value="key"' in html
    r = client.post(
        reverse("event_action", args=[e.pk, "supervise"]),
        {"level": "key", "note": "请今天回复", "reply_days": "", "department": ""},
    )
    assert r.status_code == 302
    client.force_login(cast.handler)
    html = client.get(reverse("event_action", args=[e.pk, "reply_supervision"]), **HX)
    assert "请今天回复" in html.content.decode()
    r = client.post(
        reverse("event_action", args=[e.pk, "reply_supervision"]),
        {"supervision": "", "reply": "已安排专人"},
        **HX,
    )
    assert r.status_code == 200
    page = client.get(reverse("event_detail", args=[e.pk])).content.decode()
    assert "重点督办" in page and "已安排专人" in page and "市监协办" in page
