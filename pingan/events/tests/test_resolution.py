"""The outcome of the lead department's 办结反馈 (issue 18): on the page a dispute's
handler must say whether the matter was resolved (化解) or not, and where the parties were
guided; any other event, and any 办结反馈 over the API without it, is resolved.
Verification keeps the outcome, a failed one or a reopening clears it, the timeline names
it; the page and the API ask for it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient
from pingan.core.errors import Invalid
from pingan.events import workflow
from pingan.events.choices import AssignmentStatus, Status
from pingan.events.models import Event
from pingan.sla.tests.helpers import act, at, dispatched

MON = at(2026, 3, 2, 9)
TUE = at(2026, 3, 3, 9)
WED = at(2026, 3, 4, 9)


def in_handling(cast, *, category=None, assisting=()):
    """A dispute (by default) dispatched to the police, who acknowledged it."""
    e = dispatched(cast, MON, category=category, assisting=assisting)
    return act(cast.handler, e, "acknowledge", MON)


def state(e: Event) -> tuple:
    e.refresh_from_db()
    lead = e.assignments.get(role="lead")
    return (e.status, e.resolution, e.referral, lead.status, e.timeline.count())


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"resolution": "maybe"}, "resolution"),
        ({"resolution": "resolved", "referral": "litigation"}, "referral"),
        ({"resolution": "unresolved", "referral": "court"}, "referral"),
    ],
)
def test_a_bad_outcome_changes_nothing(cast, payload, field):
    e = in_handling(cast)
    before = state(e)
    with pytest.raises(Invalid) as err:
        act(cast.handler, e, "resolve", TUE, result="调解中", **payload)
    assert err.value.status == 422
    assert set(err.value.fields) == {field}
    assert state(e) == before


def test_an_unresolved_dispute_keeps_its_outcome_through_verification(cast):
    e = in_handling(cast)
    e = act(
        cast.handler,
        e,
        "resolve",
        TUE,
        result="双方分歧较大，调解不成",
        resolution="unresolved",
        referral="litigation",
    )
    assert (e.status, e.resolution, e.referral) == (Status.RESOLVED, "unresolved", "litigation")
    e = act(cast.dispatcher, e, "verify", WED, passed=True)
    e.refresh_from_db()
    assert (e.status, e.resolution, e.referral) == (Status.CLOSED, "unresolved", "litigation")
    resolve = e.timeline.get(action="resolve")
    assert resolve.data["resolution"] == "unresolved"
    assert workflow.timeline_label(resolve.action, resolve.data) == "办结反馈 · 未化解，引导诉讼"
    assert e.timeline.get(action="verify").data["resolution"] == "unresolved"


def test_a_failed_verification_or_a_reopening_asks_the_outcome_again(cast):
    e = in_handling(cast)
    act(cast.handler, e, "resolve", TUE, result="调解不成", resolution="unresolved")
    e = act(cast.dispatcher, e, "verify", TUE, passed=False, note="再组织一次调解")
    # The earlier outcome is gone: the next 办结反馈 says its own.
    assert (e.status, e.resolution) == (Status.IN_PROGRESS, "")
    act(cast.handler, e, "resolve", WED, result="已调解，双方和解", resolution="resolved")
    e = act(cast.dispatcher, e, "verify", WED, passed=True)
    assert (e.status, e.resolution) == (Status.CLOSED, "resolved")
    e = act(cast.dispatcher, e, "reopen", WED, note="当事人再次反映")
    assert (e.status, e.resolution, e.referral) == (Status.IN_PROGRESS, "", "")


def test_other_events_are_resolved_unless_said_otherwise(cast):
    e = in_handling(cast, category=cast.fire)
    e = act(cast.handler, e, "resolve", TUE, result="已清理楼道")
    assert e.resolution == "resolved"
    row = e.timeline.get(action="resolve")
    # Not a dispute and resolved: the timeline keeps the plain name.
    assert workflow.timeline_label(row.action, row.data) == "办结反馈"


def test_resolved_on_site_counts_as_resolved(cast):
    from pingan.sla.tests.helpers import report

    e = report(cast, MON)
    e = act(cast.gridworker, e, "resolve_on_site", MON, result="现场调解，双方和解")
    assert (e.status, e.resolution) == (Status.CLOSED, "resolved")


def test_only_the_lead_gives_the_outcome(cast):
    e = in_handling(cast, assisting=[cast.market])
    act(cast.handler_market, e, "acknowledge", MON)
    # An assisting department's feedback carries none, whatever it sends.
    act(cast.handler_market, e, "resolve", TUE, result="已核查证照", resolution="unresolved")
    e.refresh_from_db()
    assert e.resolution == ""
    e = act(cast.handler, e, "resolve", WED, result="调解不成", resolution="unresolved")
    assert (e.status, e.resolution) == (Status.RESOLVED, "unresolved")


# ---- the page ----------------------------------------------------------------------------


def test_the_lead_form_asks_the_outcome_and_refuses_none_for_a_dispute(cast):
    e = in_handling(cast)
    client = Client()
    client.force_login(cast.handler)
    url = reverse("event_action", args=[e.pk, "resolve"])
    html = client.get(url).content.decode()
    assert 'data-testid="resolution"' in html
    assert 'name="resolution" value="unresolved"' in html
    assert "checked" not in html.split('data-testid="resolution"')[1].split("</fieldset>")[0]
    assert 'name="referral"' in html and "引导诉讼" in html

    before = state(e)
    r = client.post(url, {"result": "调解中", "note": ""})
    assert r.status_code == 422
    assert "矛盾纠纷须选择化解结果" in r.content.decode()
    assert state(e) == before

    r = client.post(url, {"result": "调解不成", "resolution": "unresolved", "referral": "petition"})
    assert r.status_code == 302
    e.refresh_from_db()
    assert (e.status, e.resolution, e.referral) == (Status.RESOLVED, "unresolved", "petition")
    # The verifier sees the outcome beside the results.
    client.force_login(cast.dispatcher)
    html = client.get(reverse("event_action", args=[e.pk, "verify"])).content.decode()
    assert "未化解，信访渠道" in html


def test_other_forms_start_at_resolved_and_assisting_ones_do_not_ask(cast):
    e = in_handling(cast, category=cast.fire, assisting=[cast.market])
    client = Client()
    client.force_login(cast.handler)
    html = client.get(reverse("event_action", args=[e.pk, "resolve"])).content.decode()
    assert 'name="resolution" value="resolved" checked' in html
    act(cast.handler_market, e, "acknowledge", MON)
    client.force_login(cast.handler_market)
    html = client.get(reverse("event_action", args=[e.pk, "resolve"])).content.decode()
    assert "协办反馈" in html and 'name="resolution"' not in html


# ---- the API -------------------------------------------------------------------------------


def test_the_api_keeps_the_contract_and_takes_the_outcome(cast):
    # The stable contract's `resolve {result}`: a dispute resolved without an outcome
    # counts as resolved (the page, not the API, makes its handler choose).
    e = in_handling(cast)
    api = ApiClient(Client(), token_issue(user=cast.handler))
    r = api.act(e.pk, "resolve", result="已调解")
    assert r.status_code == 200, r.content
    assert r.json()["resolution"] == "resolved"
    # A bad outcome is refused and changes nothing.
    e = in_handling(cast)
    r = api.act(e.pk, "resolve", result="调解中", resolution="maybe")
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"resolution"}
    e.refresh_from_db()
    assert e.status == Status.IN_PROGRESS
    assert e.assignments.get(role="lead").status == AssignmentStatus.ACKNOWLEDGED

    r = api.act(e.pk, "resolve", result="调解不成", resolution="unresolved", referral="arbitration")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["resolution"], body["referral"]) == (
        "resolved",
        "unresolved",
        "arbitration",
    )
    assert body["timeline"][-1]["action_label"] == "办结反馈 · 未化解，申请仲裁"
