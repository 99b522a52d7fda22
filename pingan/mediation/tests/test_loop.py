"""The mediation loop through the services, as a centre and a committee would drive it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from pingan.core import clock
from pingan.core.audit import AuditEntry
from pingan.core.errors import Conflict, Forbidden, Invalid
from pingan.mediation.choices import Status
from pingan.mediation.models import MediationCase, MediationSession, Party
from pingan.mediation.tests.factories import PARTIES, fire, mediation_cast, new_case

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture
def med(cast):
    return mediation_cast(cast)


def actions(case):
    return list(case.timeline.values_list("action", flat=True))


def test_whole_loop_from_walk_in_to_closed(cast, med):
    mediator = med.village_mediator.user
    case = new_case(cast, mediator, committee=med.village.pk, amount="1200.50")
    assert case.status == Status.REGISTERED
    assert case.code.startswith("TJ-330424-")
    assert case.committee == med.village and case.created_by == mediator
    assert case.parties.count() == 2
    assert actions(case) == ["register"]

    case = fire(case, mediator, "accept")
    assert case.status == Status.ACCEPTED and case.accepted_at and case.due_at
    case = fire(
        case, mediator, "assign", committee=med.village.pk, mediator=med.village_mediator.pk
    )
    assert case.status == Status.MEDIATING and case.mediator == med.village_mediator
    case = fire(
        case,
        mediator,
        "session",
        record="双方陈述事实，初步同意疏通排水沟",
        place="城东社区调解室",
        attendees="王小明、李大华、陈调解",
    )
    assert case.status == Status.MEDIATING
    s = MediationSession.objects.get(case=case)
    assert s.place == "城东社区调解室" and s.recorded_by == mediator
    case = fire(
        case,
        mediator,
        "succeed",
        terms="李大华于十日内疏通排水沟并赔偿500元",
        performance="by_date",
        performance_due=(clock.now() + dt.timedelta(days=10)).date().isoformat(),
    )
    assert case.status == Status.SUCCEEDED and case.ended_at and case.performance_due
    case = fire(case, mediator, "request_confirmation", court="海盐县人民法院")
    # Closing waits for the follow-up and the ruling.
    with pytest.raises(Conflict):
        fire(case, mediator, "close")
    case = fire(case, mediator, "record_ruling", ruling="confirmed")
    assert case.judicial_ruling == "confirmed" and case.judicial_ruled_on
    with pytest.raises(Conflict):
        fire(case, mediator, "close")
    case = fire(case, mediator, "check_performance", performed=True)
    case = fire(case, mediator, "close")
    assert case.status == Status.CLOSED and case.closed_at and case.performed is True
    assert actions(case) == [
        "register",
        "accept",
        "assign",
        "session",
        "succeed",
        "request_confirmation",
        "record_ruling",
        "check_performance",
        "close",
    ]
    audited = set(
        AuditEntry.objects.filter(object_type="mediation", object_id=str(case.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"mediation.register", "mediation.succeed", "mediation.close"} <= audited


def test_rejection_needs_a_reason_and_ends_the_case(cast, med):
    case = new_case(cast)
    with pytest.raises(Invalid) as e:
        fire(case, cast.dispatcher, "reject")
    assert list(e.value.fields) == ["note"]
    assert MediationCase.objects.get(pk=case.pk).status == Status.REGISTERED
    case = fire(case, cast.dispatcher, "reject", note="不属于民间纠纷，已引导向法院起诉")
    assert case.status == Status.REJECTED and case.closed_at
    with pytest.raises(Conflict):
        fire(case, cast.dispatcher, "accept")


def test_withdrawal_with_reason(cast, med):
    case = fire(new_case(cast), cast.dispatcher, "accept")
    case = fire(case, cast.dispatcher, "withdraw", note="申请人自行和解，撤回申请")
    assert case.status == Status.WITHDRAWN and case.withdrawal_reason
    case = fire(case, cast.dispatcher, "close")
    assert case.status == Status.CLOSED


def test_failure_records_reason_and_guidance(cast, med):
    case = fire(new_case(cast), cast.dispatcher, "accept")
    case = fire(case, cast.dispatcher, "assign", committee=med.village.pk)
    with pytest.raises(Invalid) as e:
        fire(case, cast.dispatcher, "fail", note="分歧大", referral="court")
    assert list(e.value.fields) == ["referral"]
    case = fire(case, cast.dispatcher, "fail", note="双方对赔偿金额分歧大", referral="litigation")
    assert case.status == Status.FAILED and case.referral == "litigation"
    # No agreement: nothing to confirm or follow up.
    with pytest.raises(Conflict):
        fire(case, cast.dispatcher, "request_confirmation", court="海盐县人民法院")


def test_escalation_goes_up_and_referral_goes_to_administrative_or_judicial(cast, med):
    mediator = med.village_mediator.user
    case = fire(new_case(cast, mediator, committee=med.village.pk), mediator, "accept")
    case = fire(case, mediator, "assign", committee=med.village.pk)
    # Another town's committee does not cover the place of the dispute.
    with pytest.raises(Invalid) as e:
        fire(case, cast.dispatcher, "assign", committee=med.other_village.pk)
    assert list(e.value.fields) == ["committee"]
    # A village mediator cannot hand the case to another committee by 指派.
    with pytest.raises(Invalid):
        fire(case, mediator, "assign", committee=med.town.pk)
    # Escalation must go up: the same level is refused.
    with pytest.raises(Invalid) as e:
        fire(case, mediator, "escalate", committee=med.village.pk, note="复杂")
    assert list(e.value.fields) == ["committee"]
    case = fire(case, mediator, "escalate", committee=med.town.pk, note="涉及多户，村级难以调处")
    assert case.committee == med.town and case.level == "town" and case.mediator is None
    row = case.timeline.last()
    assert row.data["from_committee"] == med.village.pk and row.data["to_committee"] == med.town.pk
    # The village mediator (who registered it, so still sees it) no longer acts on it.
    with pytest.raises(Forbidden):
        fire(case, mediator, "session", record="记录")
    town = med.town_mediator.user
    with pytest.raises(Invalid):
        fire(case, town, "refer", committee=med.traffic.pk, note="交通")
    case = fire(case, town, "refer", committee=med.admin.pk, note="涉及市场监管职责")
    assert case.committee == med.admin and case.level == "county"


def test_deadline_is_thirty_working_days_from_acceptance_and_extension_moves_it(cast, med):
    with clock.frozen(MONDAY):
        case = fire(new_case(cast), cast.dispatcher, "accept")
    due = case.due_at
    # Thirty working days reach well past thirty calendar days (weekends, holidays).
    assert due - MONDAY > dt.timedelta(days=40)
    assert due.astimezone(TZ).weekday() < 5
    with clock.frozen(MONDAY + dt.timedelta(days=1)):
        with pytest.raises(Invalid) as e:
            fire(case, cast.dispatcher, "extend", days=31, note="当事人外出")
        assert list(e.value.fields) == ["days"]
        case = fire(case, cast.dispatcher, "extend", days=5, note="当事人外出务工")
    assert case.due_at >= due + dt.timedelta(days=5)
    row = case.timeline.last()
    assert row.action == "extend" and row.data["days"] == 5


@override_settings(PINGAN_MEDIATION_NATURAL_TIME=True)
def test_natural_time_counts_calendar_days(cast, med):
    with clock.frozen(MONDAY):
        case = fire(new_case(cast), cast.dispatcher, "accept")
    assert case.due_at == MONDAY + dt.timedelta(days=30)


def test_registering_needs_both_sides_and_a_region_in_scope(cast, med):
    with pytest.raises(Invalid) as e:
        new_case(cast, parties=[PARTIES[0]])
    assert list(e.value.fields) == ["parties"]
    with pytest.raises(Invalid) as e:
        new_case(cast, parties=[{**PARTIES[0], "id_number": "123"}, PARTIES[1]])
    assert list(e.value.fields) == ["parties[0].id_number"]
    with pytest.raises(Invalid) as e:
        new_case(cast, amount="-3")
    assert list(e.value.fields) == ["amount"]
    # Town B's dispatcher cannot register a case in town A.
    with pytest.raises(Invalid) as e:
        new_case(cast, cast.dispatcher_b)
    assert list(e.value.fields) == ["region"]
    # A handler is not a registering role.
    with pytest.raises(Forbidden):
        new_case(cast, cast.handler)
    # A mediator registers at their own committee, inside its area.
    with pytest.raises(Invalid):
        new_case(cast, med.stranger.user)
    assert MediationCase.objects.count() == 0


def test_parties_are_encrypted_at_rest(cast, med):
    from django.db import connection

    case = new_case(cast)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, phone, id_number FROM mediation_party WHERE case_id = %s", [case.pk]
        )
        rows = cur.fetchall()
    flat = " ".join(v for row in rows for v in row)
    assert "王小明" not in flat and "13812345678" not in flat and "11010519491231002X" not in flat
    assert Party.objects.filter(case=case, role="applicant").get().name == "王小明"


def test_same_client_uuid_returns_the_first_case(cast, med):
    key = "6f1c1b7e-8e0a-4f4e-9c1e-0a8b2a3c4d5e"
    first = new_case(cast, client_uuid=key)
    again = new_case(cast, client_uuid=key)
    assert again.pk == first.pk and MediationCase.objects.count() == 1
    with pytest.raises(Conflict):
        new_case(cast, cast.county_dispatcher, client_uuid=key)


def test_the_generic_action_form_drives_a_case(cast, med, client):
    client.force_login(cast.dispatcher)
    case = new_case(cast)
    url = f"/cases/mediation/{case.pk}/reject/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"note": ""})
    assert r.status_code == 422 and MediationCase.objects.get(pk=case.pk).status == "registered"
    r = client.post(url, {"note": "不属于调解范围"})
    assert r.status_code == 302
    assert MediationCase.objects.get(pk=case.pk).status == Status.REJECTED
