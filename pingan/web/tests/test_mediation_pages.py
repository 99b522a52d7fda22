"""The mediation pages through the test client: the workbench, the case page (masking, the
audited reveal, the buttons and forms), registration (errors, idempotency), the committee
register and 转调解 from the event page."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse

from pingan.core import clock
from pingan.core.audit import AuditEntry
from pingan.events.services import event_report
from pingan.mediation.models import MediationCase, MediationSession
from pingan.mediation.tests.factories import fire, mediation_cast, new_case


@pytest.fixture
def med(cast):
    return mediation_cast(cast)


def page(client, user, url, status=200):
    client.force_login(user)
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.content.decode()


def case_url(case):
    return reverse("mediation_case", args=[case.pk])


def section(html, section_id):
    """The HTML of one <section id=...> of a page."""
    m = re.search(rf'<section class="card" id="{section_id}">(.*?)</section>', html, re.S)
    return m.group(1) if m else ""


@pytest.fixture
def cases(cast, med):
    """A registered case (waiting for 受理) and one in mediation, overdue, with a session today."""
    waiting = new_case(cast, committee=med.village.pk)
    running = new_case(cast, committee=med.village.pk, summary="合同款项纠纷")
    fire(running, cast.dispatcher, "accept")
    fire(
        running,
        cast.dispatcher,
        "assign",
        committee=med.village.pk,
        mediator=med.village_mediator.pk,
    )
    fire(running, med.village_mediator.user, "session", record="双方到场，各自陈述", place="调解室")
    MediationCase.objects.filter(pk=running.pk).update(due_at=clock.now() - dt.timedelta(hours=2))
    running.refresh_from_db()
    return waiting, running


# ---- the workbench --------------------------------------------------------------------


def test_workbench_shows_each_role_its_lists(client, cast, med, cases):
    waiting, running = cases
    url = reverse("mediation_workbench")

    html = page(client, cast.dispatcher, url)
    assert waiting.code in section(html, "waiting")
    assert running.code not in section(html, "waiting")
    assert running.code in section(html, "overdue")
    assert 'data-deadline="overdue"' in section(html, "overdue")
    assert running.code in section(html, "sessions-today")
    assert 'id="mine"' not in html  # no mediator post

    html = page(client, med.village_mediator.user, url)
    assert {waiting.code, running.code} <= set(re.findall(r"TJ-[\d-]+", section(html, "mine")))
    assert running.code in section(html, "sessions-today")
    assert 'id="waiting"' not in html

    html = page(client, cast.leader, url)
    assert running.code in section(html, "overdue")
    assert 'id="waiting"' not in html and 'id="mine"' not in html

    # Another town's dispatcher and another village's mediator see none of them.
    for other in (cast.dispatcher_b, med.stranger.user):
        html = page(client, other, url)
        assert waiting.code not in html and running.code not in html

    for user in (cast.gridworker, cast.handler):
        page(client, user, url, status=403)


def test_the_nav_has_mediation_for_the_roles_with_it(client, cast, med):
    link = f'href="{reverse("mediation_workbench")}"'
    for user in (cast.dispatcher, cast.leader, med.village_mediator.user):
        assert link in page(client, user, reverse("inbox"))
    assert link not in page(client, cast.gridworker, reverse("inbox"))


# ---- the case page --------------------------------------------------------------------


def test_case_page_masks_parties_and_reveals_them_audited(client, cast, med):
    case = new_case(cast, committee=med.village.pk)
    reveal = reverse("mediation_parties", args=[case.pk])

    html = page(client, cast.dispatcher, case_url(case))
    assert case.code in html and "已登记" in html and "邻里纠纷" in html
    assert "王**" in html and "138****5678" in html and "110105********002X" in html
    assert "王小明" not in html and "13812345678" not in html and "海滨路18号" not in html
    assert "查看完整信息" in html
    # The engine's buttons: 受理 goes to the generic form, 指派 is not possible yet.
    accept = reverse("case_action", args=["mediation", case.pk, "accept"])
    assert f'href="{accept}"' in html
    assert 'data-action="assign"' not in html
    assert 'id="mediation-documents"' in html

    r = client.post(reveal)
    assert r.status_code == 200 and r["Cache-Control"].startswith("max-age=0")
    full = r.content.decode()
    assert "王小明" in full and "13812345678" in full and "11010519491231002X" in full
    entry = AuditEntry.objects.filter(action="pii.unmask", object_id=str(case.pk)).last()
    assert entry is not None and entry.actor_id == cast.dispatcher.pk

    # The committee's mediator may reveal too; the county leader reads, masked, no button.
    assert "查看完整信息" in page(client, med.village_mediator.user, case_url(case))
    html = page(client, cast.leader, case_url(case))
    assert "王**" in html and "查看完整信息" not in html and 'data-action="accept"' not in html
    assert client.post(reveal).status_code == 403
    assert "王小明" not in client.post(reveal).content.decode()

    # Strangers: 404 for the page and the reveal alike.
    for user in (cast.dispatcher_b, med.stranger.user, cast.handler, cast.gridworker_b):
        page(client, user, case_url(case), status=404)
        assert client.post(reveal).status_code == 404


def test_the_forms_take_a_case_from_acceptance_to_agreement(client, cast, med):
    case = new_case(cast)
    client.force_login(cast.dispatcher)
    r = client.post(reverse("case_action", args=["mediation", case.pk, "accept"]), {})
    assert r.status_code == 302 and r["Location"] == case_url(case)

    # 指派: the pickers offer the committees covering the place and their mediators.
    assign = reverse("mediation_action", args=[case.pk, "assign"])
    html = page(client, cast.dispatcher, assign)
    assert med.village.name in html and med.town.name in html and med.centre.name in html
    assert med.other_village.name not in html  # another town's village
    assert "陈调解" in html
    r = client.post(assign, {"committee": med.town.pk, "mediator": med.village_mediator.pk})
    assert r.status_code == 422 and "调解员不属于所选调委会" in r.content.decode()
    r = client.post(assign, {"committee": med.village.pk, "mediator": med.village_mediator.pk})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "mediating" and case.mediator == med.village_mediator

    # 调解记录 by the mediator, with place and attendees.
    client.force_login(med.village_mediator.user)
    r = client.post(
        reverse("mediation_action", args=[case.pk, "session"]),
        {"record": "双方同意分摊疏通费用", "place": "社区调解室", "attendees": "双方当事人"},
    )
    assert r.status_code == 302
    s = MediationSession.objects.get(case=case)
    assert s.place == "社区调解室" and s.recorded_by == med.village_mediator.user

    # 调解成功: a by-date performance needs its date (Chinese reason, nothing changed).
    succeed = reverse("mediation_action", args=[case.pk, "succeed"])
    r = client.post(succeed, {"terms": "李某于月底前支付800元", "performance": "by_date"})
    assert r.status_code == 422
    assert 'data-field="performance_due"' in r.content.decode()
    assert "请填写履行期限" in r.content.decode()
    case.refresh_from_db()
    assert case.status == "mediating"
    due = (clock.now() + dt.timedelta(days=20)).date().isoformat()
    r = client.post(
        succeed,
        {"terms": "李某于月底前支付800元", "performance": "by_date", "performance_due": due},
    )
    assert r.status_code == 302
    html = page(client, med.village_mediator.user, case_url(case))
    assert 'data-outcome="succeeded"' in html and "调解成功" in html
    assert "李某于月底前支付800元" in html and "限期履行" in html
    assert 'data-action="check_performance"' in html


def test_a_form_the_actor_may_not_use_is_refused(client, cast, med):
    case = new_case(cast, committee=med.village.pk)
    # Not yet accepted: 指派 is not possible now, for anyone.
    page(client, cast.dispatcher, reverse("mediation_action", args=[case.pk, "assign"]), 403)
    fire(case, cast.dispatcher, "accept")
    # The leader reads but does not act; another town's dispatcher does not see it.
    url = reverse("mediation_action", args=[case.pk, "assign"])
    page(client, cast.leader, url, 403)
    r = client.post(url, {"committee": med.village.pk})
    assert r.status_code == 403
    page(client, cast.dispatcher_b, url, 404)
    page(client, cast.dispatcher, reverse("mediation_action", args=[case.pk, "nope"]), 404)
    case.refresh_from_db()
    assert case.status == "accepted"


# ---- registration ---------------------------------------------------------------------


def form(cast, client_uuid, **kw):
    data = {
        "client_uuid": client_uuid,
        "channel": "walk_in",
        "dispute_kind": "neighbour",
        "region": cast.grid_a1.pk,
        "amount": "800",
        "summary": "两户因排水沟堵塞发生争执",
        "parties-0-role": "applicant",
        "parties-0-kind": "person",
        "parties-0-name": "王小明",
        "parties-0-phone": "13812345678",
        "parties-0-id_number": "",
        "parties-0-address": "",
        "parties-1-role": "respondent",
        "parties-1-kind": "organisation",
        "parties-1-name": "海盐某物业公司",
        "parties-1-phone": "",
        "parties-1-id_number": "",
        "parties-1-address": "",
    }
    data.update(kw)
    return data


def test_registration_shows_errors_per_field_in_chinese(client, cast, med):
    url = reverse("mediation_new")
    html = page(client, cast.dispatcher, url)
    token = re.search(r'name="client_uuid" id="f-client-uuid" value="([0-9a-f-]{36})"', html)
    assert token is not None
    assert cast.grid_a1.name in html and cast.grid_b1.name not in html

    r = client.post(url, form(cast, token.group(1), **{"parties-1-phone": "12345"}))
    assert r.status_code == 422
    html = r.content.decode()
    error = re.search(r'data-field="parties-1-phone">([^<]+)<', html)
    assert error is not None and "电话" in error.group(1)
    assert 'value="海盐某物业公司"' in html  # what was typed stays
    assert "请按提示修改后再提交" in html

    r = client.post(url, form(cast, token.group(1), summary=""))
    assert r.status_code == 422
    assert re.search(r'data-field="summary">[^<]*纠纷简要情况', r.content.decode())

    r = client.post(url, form(cast, token.group(1), **{"parties-1-name": ""}))
    assert r.status_code == 422  # an empty row is dropped: no respondent is left
    assert 'data-field="parties"' in r.content.decode()
    assert MediationCase.objects.count() == 0


def test_registration_adds_rows_and_a_double_submit_makes_one_case(client, cast, med):
    url = reverse("mediation_new")
    client.force_login(cast.dispatcher)
    key = str(uuid.uuid4())
    r = client.post(url, {**form(cast, key), "add_party": "applicant"})
    assert r.status_code == 200 and 'name="parties-2-name"' in r.content.decode()
    assert MediationCase.objects.count() == 0

    data = form(
        cast,
        key,
        **{
            "parties-2-role": "applicant",
            "parties-2-kind": "person",
            "parties-2-name": "王小红",
            "parties-2-phone": "",
            "parties-2-id_number": "",
            "parties-2-address": "",
        },
    )
    first = client.post(url, data)
    second = client.post(url, data)
    case = MediationCase.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == case_url(case)
    assert case.channel == "walk_in" and case.parties.count() == 3
    assert str(case.amount) == "800.00"


def test_registration_is_for_the_registering_roles(client, cast, med):
    for user in (cast.handler, cast.leader):
        page(client, user, reverse("mediation_new"), status=403)
    html = page(client, med.village_mediator.user, reverse("mediation_new"))
    assert med.village.name in html and med.town.name not in html
    # A grid worker registers in their grid and then reads the case they registered.
    html = page(client, cast.gridworker, reverse("mediation_new"))
    key = re.search(r'name="client_uuid" id="f-client-uuid" value="([0-9a-f-]{36})"', html)
    r = client.post(reverse("mediation_new"), form(cast, key.group(1)))
    case = MediationCase.objects.get()
    assert r.status_code == 302 and case.created_by == cast.gridworker
    assert "王**" in page(client, cast.gridworker, case_url(case))


# ---- the committee register ---------------------------------------------------------------


def test_committee_register_and_detail(client, cast, med, cases):
    html = page(client, cast.dispatcher, reverse("mediation_committees"))
    row = re.search(rf'<tr data-committee="{med.village.pk}">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = row.group(1)
    assert med.village.name in cells and "村（社区）调委会" in cells
    assert cells.count('data-state="missing"') == 5
    assert re.search(r'<td class="num">2</td>\s*<td class="five-checks">', cells)  # mediators
    assert re.search(r'<td class="num">2</td>\s*$', cells.strip() + "\n")  # open cases
    assert "data-gold-room" in html  # the county's joint centre
    assert med.other_village.name not in html  # another town's village

    url = reverse("mediation_committee", args=[med.village.pk])
    html = page(client, cast.dispatcher, url)
    assert "陈调解" in html and "137****1111" in html and "13700001111" not in html
    waiting, running = cases
    assert waiting.code in html and running.code in html

    page(client, cast.dispatcher_b, url, status=404)
    page(client, cast.gridworker, url, status=403)
    page(client, cast.gridworker, reverse("mediation_committees"), status=403)


# ---- 转调解 from the event page ---------------------------------------------------------------


def report(cast, category, **kw):
    lat, lng = cast.point_a1
    event, _ = event_report(
        actor=cast.gridworker, category=category.pk, description="两户争吵", lat=lat, lng=lng, **kw
    )
    return event


def test_refer_a_dispute_event_from_its_page(client, cast, med):
    event = report(cast, cast.neighbour)
    url = reverse("mediation_from_event", args=[event.pk])
    html = page(client, cast.dispatcher, reverse("event_detail", args=[event.pk]))
    assert f'href="{url}"' in html and "转调解" in html

    html = page(client, cast.dispatcher, url)
    assert "两户争吵" in html and med.village.name in html
    token = re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', html).group(1)
    data = {
        "client_uuid": token,
        "committee": med.village.pk,
        "summary": "两户争吵",
        "parties-0-role": "applicant",
        "parties-0-name": "王小明",
        "parties-0-phone": "138123",
        "parties-1-role": "respondent",
        "parties-1-name": "李大华",
    }
    r = client.post(url, data)
    assert r.status_code == 422 and 'data-field="parties-0-phone"' in r.content.decode()
    assert MediationCase.objects.count() == 0
    data["parties-0-phone"] = "13812345678"
    r = client.post(url, data)
    case = MediationCase.objects.get()
    assert r.status_code == 302 and r["Location"] == case_url(case)
    assert case.event_id == event.pk and case.committee == med.village
    html = page(client, cast.dispatcher, case_url(case))
    assert event.code in html and "事件转调解" in html

    # The grid worker sees the event but may not hand it over.
    page(client, cast.gridworker, url, status=403)
    page(client, cast.dispatcher_b, url, status=404)


def test_no_referral_for_an_event_that_is_not_a_dispute(client, cast, med):
    event = report(cast, cast.fire, extra={"place_kind": "住宅"})
    html = page(client, cast.dispatcher, reverse("event_detail", args=[event.pk]))
    assert 'data-action="refer_mediation"' not in html
    page(client, cast.dispatcher, reverse("mediation_from_event", args=[event.pk]), status=403)


def test_the_case_page_offers_the_documents_that_can_be_made_to_those_who_may(client, cast, med):
    case = new_case(cast, committee=med.village.pk)
    html = page(client, cast.dispatcher, case_url(case))
    base = f"/api/v1/mediation/cases/{case.pk}/documents"
    # The application can be made at once; the agreement only after 调解成功.
    assert f'href="{base}/application?format=docx"' in html
    assert f'href="{base}/application?format=pdf"' in html
    assert f'href="{base}/agreement?format=docx"' not in html
    assert "案件尚未调解成功，不能生成调解协议书" in html
    # The link works for the page's user (the session), stores the file, and the page then
    # lists the stored copy.
    r = client.get(f"{base}/application?format=docx")
    assert r.status_code == 200 and r["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    stored = case.documents.get()
    assert f'href="{base}/files/{stored.pk}"' in page(client, cast.dispatcher, case_url(case))
    # A leader sees the case but not the documents (they carry the parties in full).
    html = page(client, cast.leader, case_url(case))
    assert f"{base}/application" not in html and f"{base}/files/" not in html
    assert "仅辖区受理员和本调委会调解员可以生成和查看" in html
