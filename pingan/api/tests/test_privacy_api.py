"""Personal data in API answers: masked, revealed only by the audited contact call of a
role that needs it; phones validated; labelled events out of sight without clearance."""

from __future__ import annotations

import pytest

from pingan.api.tests.helpers import dispatched_to_police, error_of, report
from pingan.core.models import AuditEntry
from pingan.privacy.services import clearance_grant

CONTACT = {"reporter_name": "张三丰", "reporter_phone": "13812345678", "address": "海滨路18号3幢"}


def test_event_answers_are_masked_for_every_role(cast, api_as):
    e = report(cast, **CONTACT)
    for user in (cast.gridworker, cast.dispatcher, cast.leader, cast.county_dispatcher):
        body = api_as(user).get(f"/events/{e.pk}").json()
        assert body["reporter_name"] == "张**"
        assert body["reporter_phone"] == "138****5678"
        assert body["address"] == "海滨路18号****"
        items = api_as(user).get("/events").json()["items"]
        assert "13812345678" not in str(items) and "张三丰" not in str(items)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("dispatcher", 200),
        ("county_dispatcher", 200),
        ("handler", 200),  # police holds the assignment
        ("leader", 403),
        ("gridworker", 403),
        ("gridleader", 403),
        ("handler_market", 404),  # never assigned: out of scope
        ("dispatcher_b", 404),
    ],
)
def test_contact_reveal_by_role_and_each_reveal_is_audited(cast, api_as, who, status):
    e = dispatched_to_police(cast, **CONTACT)
    user = getattr(cast, who)
    r = api_as(user).get(f"/events/{e.pk}/contact")
    assert r.status_code == status, r.content
    audits = AuditEntry.objects.filter(action="pii.unmask", actor=user, object_id=str(e.pk))
    if status == 200:
        assert r.json() == CONTACT
        assert audits.filter(result="ok").count() == 1
        assert "no-store" in r["Cache-Control"]  # never kept by a browser or a proxy
    else:
        assert "13812345678" not in r.content.decode()
        assert audits.filter(result="ok").count() == 0
    if status == 403:
        assert audits.filter(result="denied").count() == 1


def test_bad_phone_on_report_is_422_in_chinese(cast, api_as):
    lat, lng = cast.point_a1
    body = {
        "category": cast.neighbour.pk,
        "description": "噪音",
        "lat": lat,
        "lng": lng,
        "reporter_phone": "1381234",
    }
    r = api_as(cast.gridworker).post("/events", body)
    assert r.status_code == 422
    assert "reporter_phone" in error_of(r)["fields"]
    assert "电话" in error_of(r)["fields"]["reporter_phone"]


def test_search_by_reporter_phone(cast, api_as):
    e = report(cast, reporter_phone="13812345678")
    report(cast, reporter_phone="13900001111")
    r = api_as(cast.dispatcher).get("/events", reporter_phone="138-1234-5678")
    assert [i["id"] for i in r.json()["items"]] == [e.pk]
    r = api_as(cast.dispatcher).get("/events", reporter_phone="12345")
    assert r.status_code == 422 and "reporter_phone" in error_of(r)["fields"]


def test_labelled_event_is_404_without_clearance(cast, api_as):
    cast.neighbour.sensitivity = "petition"
    cast.neighbour.save()
    e = report(cast)
    assert e.sensitivity == "petition"
    r = api_as(cast.dispatcher).post(f"/events/{e.pk}/transitions", {"action": "accept"})
    assert r.status_code == 404
    clearance_grant(user=cast.dispatcher, label="petition")
    dispatcher = api_as(cast.dispatcher)
    assert dispatcher.act(e.pk, "accept").status_code == 200
    assert dispatcher.act(e.pk, "dispatch", lead_department=cast.police.pk).status_code == 200
    assert dispatcher.get(f"/events/{e.pk}").json()["sensitivity"] == "petition"
    for user in (cast.handler, cast.leader, cast.county_dispatcher):
        assert api_as(user).get(f"/events/{e.pk}").status_code == 404
        assert e.pk not in [i["id"] for i in api_as(user).get("/events").json()["items"]]
        r = api_as(user).act(e.pk, "comment", note="x")
        assert r.status_code == 404
    # The reporter still sees what they reported.
    assert api_as(cast.gridworker).get(f"/events/{e.pk}").status_code == 200
    # A clearance for another label does not help; the right one does.
    clearance_grant(user=cast.handler, label="corrections")
    assert api_as(cast.handler).get(f"/events/{e.pk}").status_code == 404
    clearance_grant(user=cast.handler, label="petition")
    assert api_as(cast.handler).act(e.pk, "acknowledge").status_code == 200


def test_labels_are_set_by_the_security_admin_or_a_cleared_dispatcher(cast, api_as):
    from pingan.core.errors import Forbidden
    from pingan.events.contact import event_sensitivity_set
    from pingan.org.choices import Role
    from pingan.org.services import membership_grant

    e = report(cast)
    with pytest.raises(Forbidden):
        event_sensitivity_set(actor=cast.dispatcher, event_id=e.pk, sensitivity="stability")
    clearance_grant(user=cast.dispatcher, label="stability")
    event_sensitivity_set(actor=cast.dispatcher, event_id=e.pk, sensitivity="stability")
    assert api_as(cast.leader).get(f"/events/{e.pk}").status_code == 404
    membership_grant(user=cast.sysadmin, role=Role.SEC_ADMIN)
    event_sensitivity_set(actor=cast.sysadmin, event_id=e.pk, sensitivity="")
    assert api_as(cast.leader).get(f"/events/{e.pk}").status_code == 200
    labels = list(
        AuditEntry.objects.filter(action="event.label")
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert labels == [{"from": "", "to": "stability"}, {"from": "stability", "to": ""}]
