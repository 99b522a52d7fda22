"""Patrol visits that pick a register record: the pick is checked against the worker's
grids, what the worker found changes the record through its register's service (with
attributed history), a task is completed, and a replay changes nothing twice."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from pingan.core import clock
from pingan.patrols.models import PatrolVisit
from pingan.places.models import RentalCheck
from pingan.places.tests.factories import new_place, new_rental, place_items, rental_items
from pingan.registry.models import KeyPersonVisit, RecordChange, VisitTask
from pingan.registry.tests import factories as reg

pytestmark = pytest.mark.django_db


@pytest.fixture
def patrol(cast, api_as):
    """The grid worker of grid a1 on patrol: (api, patrol id)."""
    api = api_as(cast.gridworker)
    at = (clock.now() - dt.timedelta(minutes=30)).isoformat()
    r = api.post("/patrols", {"client_uuid": str(uuid.uuid4()), "started_at": at})
    assert r.status_code == 201, r.content
    return api, r.json()["id"]


def visit(api, pid, **payload):
    body = {"client_uuid": str(uuid.uuid4()), "note": "", **payload}
    return api.post(f"/patrols/{pid}/visits", body), body


def test_a_key_person_visit_from_its_task_completes_the_task_with_history(cast, patrol):
    api, pid = patrol
    kp = reg.key_person(reg.person(cast.grid_a1, name="李四"), helpers=[cast.gridworker.pk])
    task = VisitTask.objects.get(key_person=kp, done_at__isnull=True)

    r, body = visit(api, pid, task=task.pk, outcome="met", note="情绪稳定", lat=30.525, lng=120.945)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["kind"] == "key_person" and out["pick"] == {"type": "key_person", "id": kp.pk}
    assert out["target"].startswith("李*") and "李四" not in out["target"]
    task.refresh_from_db()
    assert task.done_at is not None
    kp_visit = KeyPersonVisit.objects.get(key_person=kp)
    assert (kp_visit.outcome, kp_visit.by, kp_visit.note) == ("met", cast.gridworker, "情绪稳定")
    assert kp_visit.patrol_visit_id == out["id"] and task.visit == kp_visit
    change = RecordChange.objects.get(model="key_person", object_id=kp.pk, action="visit")
    assert (change.actor, change.source) == (cast.gridworker, "visit")
    # The next task is there; the phone's retry of the same visit does nothing twice.
    assert VisitTask.objects.filter(key_person=kp, done_at__isnull=True).count() == 1
    again = api.post(f"/patrols/{pid}/visits", body)
    assert again.status_code == 200 and again.json()["id"] == out["id"]
    assert KeyPersonVisit.objects.filter(key_person=kp).count() == 1
    assert RecordChange.objects.filter(model="key_person", action="visit").count() == 1
    assert PatrolVisit.objects.count() == 1


def test_a_person_found_moved_out_is_moved_out_by_the_worker(cast, patrol):
    api, pid = patrol
    p = reg.person(cast.grid_a1, name="赵六")
    r, _body = visit(api, pid, pick={"type": "person", "id": p.pk}, outcome="moved_out")
    assert r.status_code == 201, r.content
    assert r.json()["effect"] == {"person_moved_out": p.pk}
    p.refresh_from_db()
    assert p.status == "moved_out" and p.moved_out_at == timezone.localdate(clock.now())
    change = RecordChange.objects.get(model="person", object_id=p.pk, action="move_out")
    assert (change.actor, change.source) == (cast.gridworker, "visit")


def test_a_rental_check_on_a_visit_rates_the_house(cast, patrol):
    api, pid = patrol
    house = new_rental(cast)
    check = {"items": rental_items("smoke_alarm"), "hazard_note": "未装烟感"}
    r, body = visit(api, pid, pick={"type": "rental", "id": house.pk}, check=check)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["kind"] == "rental" and out["outcome"] == "rectify"
    assert out["effect"]["rating"] == "yellow"
    rc = RentalCheck.objects.get(house=house)
    assert (rc.by, rc.hazards, rc.client_uuid) == (
        cast.gridworker,
        1,
        uuid.UUID(body["client_uuid"]),
    )
    house.refresh_from_db()
    assert house.rating == "yellow"
    assert api.post(f"/patrols/{pid}/visits", body).status_code == 200
    assert RentalCheck.objects.filter(house=house).count() == 1


def test_a_place_picked_without_a_check_is_only_a_visit(cast, patrol):
    api, pid = patrol
    place = new_place(cast)
    r, _body = visit(api, pid, pick={"type": "place", "id": place.pk})
    assert r.status_code == 201, r.content
    assert (r.json()["kind"], r.json()["target"], r.json()["effect"]) == (
        "key_place",
        "城东小学",
        {},
    )
    assert not place.checks.exists()
    bad = {"items": place_items("escape_route")}  # a hazard without its note
    r, _body = visit(api, pid, pick={"type": "place", "id": place.pk}, check=bad)
    assert r.status_code == 422 and "hazard_note" in r.json()["error"]["fields"]
    assert PatrolVisit.objects.count() == 1  # the refused visit left nothing


def test_a_record_outside_the_workers_grids_is_refused_and_nothing_is_written(cast, patrol):
    api, pid = patrol
    elsewhere = reg.person(cast.grid_b1, name="孙七")
    r, _body = visit(api, pid, pick={"type": "person", "id": elsewhere.pk}, outcome="moved_out")
    assert r.status_code == 403
    r, _body = visit(api, pid, pick={"type": "person", "id": 999999})
    assert r.status_code == 422 and "pick" in r.json()["error"]["fields"]
    elsewhere.refresh_from_db()
    assert elsewhere.status == "present"
    assert not PatrolVisit.objects.exists()
    assert not RecordChange.objects.filter(source="visit").exists()


def test_an_outcome_must_fit_the_pick(cast, patrol):
    api, pid = patrol
    kp = reg.key_person(reg.person(cast.grid_a1), helpers=[cast.gridworker.pk])
    r, _body = visit(api, pid, pick={"type": "key_person", "id": kp.pk}, outcome="moved_out")
    assert r.status_code == 422 and "outcome" in r.json()["error"]["fields"]
    other = reg.key_person(reg.person(cast.grid_a1), helpers=[cast.gridworker.pk])
    task = VisitTask.objects.get(key_person=other, done_at__isnull=True)
    r, _body = visit(
        api, pid, pick={"type": "key_person", "id": kp.pk}, task=task.pk, outcome="met"
    )
    assert r.status_code == 422 and "task" in r.json()["error"]["fields"]
    r, _body = visit(api, pid, kind="other", target="路边摊", outcome="met")
    assert r.status_code == 422 and "pick" in r.json()["error"]["fields"]
    assert not KeyPersonVisit.objects.exists()


def test_free_text_visits_still_work(cast, patrol):
    api, pid = patrol
    r, _body = visit(api, pid, kind="other", target="3幢201室")
    assert r.status_code == 201, r.content
    assert r.json()["pick"] is None and r.json()["target"] == "3幢201室"


def test_the_offline_list_holds_the_workers_grids_masked(cast, patrol):
    api, _pid = patrol
    mine = reg.person(cast.grid_a1, name="周大福", address="城东社区海滨路3号201室")
    reg.person(cast.grid_b1, name="吴其他")
    kp = reg.key_person(reg.person(cast.grid_a1, name="郑重点"), helpers=[cast.gridworker.pk])
    hidden = reg.key_person(reg.person(cast.grid_a1, name="冯矫正"), code="corrections")
    house = new_rental(cast, address="城东社区海滨路18号3幢")
    r = api.get("/patrols/targets")
    assert r.status_code == 200, r.content
    body = r.json()
    text = r.content.decode()
    for secret in (
        "周大福",
        "郑重点",
        "海滨路3号201室",
        "海滨路18号3幢",
        mine.id_number,
        mine.phone,
    ):
        assert secret not in text
    persons = {p["id"]: p for p in body["persons"]}
    assert set(persons) >= {mine.pk} and all(
        p["region"] in (cast.grid_a1.pk, cast.grid_a2.pk) for p in body["persons"]
    )
    assert persons[mine.pk]["label"] == "周**"
    assert persons[mine.pk]["house_no"] == "3-201"
    assert persons[mine.pk]["id_tail"] == mine.id_number[-4:]
    assert [k["id"] for k in body["key_persons"]] == [kp.pk]  # not the uncleared one
    assert hidden.pk not in [k["id"] for k in body["key_persons"]]
    assert [h["id"] for h in body["rentals"]] == [house.pk]
    assert body["rentals"][0]["house_no"] == "18-3"
    assert set(body["check_items"]["rental"]) == set(rental_items())


def test_the_offline_list_is_empty_for_someone_without_a_grid(cast, api_as):
    reg.person(cast.grid_a1)
    body = api_as(cast.dispatcher).get("/patrols/targets").json()
    assert body["persons"] == [] and body["key_persons"] == [] and body["rentals"] == []
