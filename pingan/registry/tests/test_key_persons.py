"""Key persons: categories and labels, clearance, visit tasks (generation idempotent,
missed counted), visits completing tasks."""

from __future__ import annotations

import datetime as dt
import importlib
import uuid

import pytest
from django.core.management import call_command

from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, NotFound
from pingan.privacy.services import clearance_grant
from pingan.registry import defaults, services
from pingan.registry.models import KeyPerson, KeyPersonCategory, RecordChange, VisitTask
from pingan.registry.permissions import key_person_scope_q
from pingan.registry.selectors import visits_due
from pingan.registry.services import today, visit_tasks_generate
from pingan.registry.tests.factories import key_person, person

pytestmark = pytest.mark.django_db


def test_the_categories_are_seeded_with_labels_and_frequencies():
    # What the data migration writes (another test file's flush may have emptied the
    # table on this worker: `categories_ensure` writes the same list back).
    seeded = importlib.import_module("pingan.registry.migrations.0002_seed_categories")
    assert [tuple(c) for c in seeded.CATEGORIES] == list(defaults.CATEGORIES)
    defaults.categories_ensure()
    cats = {c.code: c for c in KeyPersonCategory.objects.all()}
    assert {"corrections", "released", "mental", "drug", "petition", "youth"} <= set(cats)
    assert cats["corrections"].sensitivity == "corrections"
    assert cats["petition"].sensitivity == "petition"
    assert all(c.sensitivity for c in cats.values())  # every category is labelled
    assert cats["corrections"].visit_every_days == 7


def test_a_key_person_carries_the_label_and_needs_the_clearance(cast):
    p = person(cast.grid_a1)
    with pytest.raises(Forbidden):  # not cleared for 社区矫正
        services.key_person_create(actor=cast.dispatcher, person_id=p.pk, category="corrections")
    clearance_grant(user=cast.dispatcher, label="corrections")
    kp = services.key_person_create(
        actor=cast.dispatcher, person_id=p.pk, category="corrections",
        helpers=[cast.gridworker.pk],
    )  # fmt: skip
    assert kp.sensitivity == "corrections" and kp.region_path == cast.grid_a1.path
    with pytest.raises(Conflict):
        services.key_person_create(actor=cast.dispatcher, person_id=p.pk, category="corrections")
    seen = {
        "dispatcher": cast.dispatcher,
        "county": cast.county_dispatcher,  # not cleared
        "helper": cast.gridworker,  # the helper, not cleared
        "gw_b": cast.gridworker_b,
    }
    visible = {k: KeyPerson.objects.filter(key_person_scope_q(u)).exists() for k, u in seen.items()}
    assert visible == {"dispatcher": True, "county": False, "helper": True, "gw_b": False}


def test_visit_tasks_are_generated_once_and_missed_counted(cast):
    p = person(cast.grid_a1)
    since = today() - dt.timedelta(days=20)
    kp = key_person(p, code="petition", since=since)  # every 15 days, 3 days' notice
    task = VisitTask.objects.get(key_person=kp)
    # Due 15 days after the start, but never born overdue: today.
    assert task.due_on == today() and task.opens_on == today() - dt.timedelta(days=3)
    assert visit_tasks_generate() == {"created": 0, "missed": 0, "permits_expired": 0}
    later = today() + dt.timedelta(days=2)
    assert visit_tasks_generate(later)["missed"] == 1
    assert visit_tasks_generate(later) == {"created": 0, "missed": 0, "permits_expired": 0}
    task.refresh_from_db()
    assert task.missed and task.done_at is None  # stays open, shown overdue
    assert VisitTask.objects.filter(key_person=kp).count() == 1


def test_a_visit_completes_the_task_and_schedules_the_next(cast):
    p = person(cast.grid_a1)
    clearance_grant(user=cast.gridworker, label="stability")
    since = today() - dt.timedelta(days=25)
    kp = key_person(p, code="released", helpers=[cast.gridworker.pk], since=since)
    task = VisitTask.objects.get(key_person=kp)  # every 30 days: due in 5 days
    assert task.assignee == cast.gridworker and task.due_on == since + dt.timedelta(days=30)
    key = uuid.uuid4()
    visit, created = services.visit_record(
        actor=cast.gridworker, task=task.pk, outcome="met", note="情况稳定",
        lat=30.525, lng=120.945, client_uuid=key, patrol_visit_id=42,
    )  # fmt: skip
    assert created and visit.patrol_visit_id == 42
    again, created = services.visit_record(
        actor=cast.gridworker, task=task.pk, outcome="met", client_uuid=key
    )
    assert not created and again.pk == visit.pk
    task.refresh_from_db()
    assert task.done_at is not None and task.visit == visit
    nxt = VisitTask.objects.get(key_person=kp, done_at__isnull=True)
    assert nxt.due_on == today() + dt.timedelta(days=30)
    kp.refresh_from_db()
    assert kp.last_visit_at == visit.at
    change = RecordChange.objects.get(model="key_person", object_id=kp.pk, action="visit")
    assert change.source == "visit" and change.actor == cast.gridworker
    # Without a task: the key person's open task is completed.
    services.visit_record(actor=cast.gridworker, key_person=kp.pk, outcome="phone")
    nxt.refresh_from_db()
    assert nxt.done_at is not None


def test_visits_need_scope_and_an_active_supervision(cast):
    p = person(cast.grid_a1)
    kp = key_person(p, code="youth")
    with pytest.raises(NotFound):  # another town
        services.visit_record(actor=cast.gridworker_b, key_person=kp.pk, outcome="met")
    with pytest.raises(NotFound):  # the right grid, but not cleared for the label
        services.visit_record(actor=cast.gridworker, key_person=kp.pk, outcome="met")
    clearance_grant(user=cast.dispatcher, label="stability")
    services.key_person_close(actor=cast.dispatcher, key_person_id=kp.pk)
    with pytest.raises(Conflict):
        services.visit_record(actor=cast.dispatcher, key_person=kp.pk, outcome="met")
    assert not VisitTask.objects.filter(
        key_person=kp, done_at__isnull=True, cancelled_at__isnull=True
    ).exists()


def test_visits_due_for_a_grid(cast):
    clearance_grant(user=cast.gridworker, label="stability")
    a = key_person(person(cast.grid_a1), code="released")
    b = key_person(person(cast.grid_a2), code="released")
    due = visits_due(actor=cast.gridworker, grid=cast.grid_a1.pk, day=today())
    assert [t.key_person_id for t in due] == []  # not due for 30 days
    later = today() + dt.timedelta(days=25)
    due = visits_due(actor=cast.gridworker, grid=cast.grid_a1.pk, day=later)
    assert [t.key_person_id for t in due] == [a.pk]
    # The grid worker does not see the other grid's tasks even when asking for them.
    due = visits_due(actor=cast.gridworker, grid=cast.village_a.pk, day=later)
    assert [t.key_person_id for t in due] == [a.pk]
    assert b.pk not in [t.key_person_id for t in due]


def test_the_command_runs_the_daily_work(cast, capsys):
    key_person(person(cast.grid_a1), code="drug")
    VisitTask.objects.all().delete()
    call_command("registry_visit_tasks")
    assert "1 visit tasks created" in capsys.readouterr().out
    call_command("registry_visit_tasks", day=(today() + dt.timedelta(days=40)).isoformat())
    assert "1 marked missed" in capsys.readouterr().out
    assert clock.now()  # the clock is the one the services use
