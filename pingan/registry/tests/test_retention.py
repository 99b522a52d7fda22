"""Retention: people who left are anonymised after the configured period, once, with
their free text and their history's masked values cleared; the supervised are kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from pingan.core import pii
from pingan.core.audit import AuditEntry
from pingan.registry import retention, services
from pingan.registry.models import Household, KeyPersonVisit, Person, RecordChange
from pingan.registry.services import today
from pingan.registry.tests.factories import SYSTEM, household, key_person, person

pytestmark = pytest.mark.django_db


def gone(cast, days_ago, **kw):
    p = person(cast.grid_a1, name="钱七", phone="13877778888", address="城东社区海滨路1号", **kw)
    services.person_move_out(actor=SYSTEM, person_id=p.pk, on=today() - dt.timedelta(days=days_ago))
    return p


def test_retention_days_from_settings(settings):
    settings.PINGAN_REGISTRY_RETENTION_DAYS = 30
    assert retention.retention_days("persons") == 30
    settings.PINGAN_REGISTRY_RETENTION_DAYS = {"persons": 10}
    assert retention.retention_days("persons") == 10
    assert retention.retention_days("key_persons") == retention.DEFAULT_DAYS


def test_people_past_the_period_are_anonymised_once(cast, settings):
    settings.PINGAN_REGISTRY_RETENTION_DAYS = 100
    hh = household(cast.grid_a1, address="城东社区海滨路1号")
    old = gone(cast, 101, household=hh.pk)
    recent = gone(cast, 99)
    present = person(cast.grid_a1)
    number = old.id_number
    assert retention.anonymise_due() == 1
    old.refresh_from_db()
    assert old.name == retention.ANONYMOUS
    assert (old.id_number, old.id_index, old.phone, old.phone_index, old.address) == ("",) * 5
    assert old.birth_date.month == 1 and old.birth_date.day == 1 and old.sex
    assert old.anonymised_at is not None
    assert Household.objects.get(pk=hh.pk).address == ""
    # The history keeps the field names, not even masked values.
    for change in RecordChange.objects.filter(person=old).exclude(action="anonymise"):
        assert all(v in ("", {"old": "", "new": ""}) for v in change.fields.values())
    assert not Person.objects.filter(id_index=pii.blind_index(number, kind="id_number")).exists()
    recent.refresh_from_db()
    present.refresh_from_db()
    assert recent.anonymised_at is None and present.anonymised_at is None
    assert retention.anonymise_due() == 0  # idempotent
    assert AuditEntry.objects.filter(action="registry.anonymise").count() == 1
    # The same person may be registered again afterwards (the index is free).
    again = person(cast.grid_a1, id_number=number)
    assert again.pk != old.pk


def test_key_persons_keep_their_records_for_their_own_period(cast, settings):
    settings.PINGAN_REGISTRY_RETENTION_DAYS = {"persons": 10, "key_persons": 50}
    p = person(cast.grid_a1)
    kp = key_person(p, code="released", since=today() - dt.timedelta(days=200))
    services.visit_record(actor=SYSTEM, key_person=kp.pk, outcome="met", note="住址变更")
    services.key_person_close(actor=SYSTEM, key_person_id=kp.pk, until=today() - dt.timedelta(40))
    services.person_move_out(actor=SYSTEM, person_id=p.pk, on=today() - dt.timedelta(days=20))
    assert retention.anonymise_due() == 0  # closed 40 days ago, kept for 50
    assert retention.anonymise_due(today() + dt.timedelta(days=11)) == 1
    assert KeyPersonVisit.objects.get(key_person=kp).note == ""


def test_the_command(cast, settings, capsys):
    settings.PINGAN_REGISTRY_RETENTION_DAYS = 1
    gone(cast, 5)
    call_command("registry_anonymise", dry_run=True)
    assert "1 persons past retention" in capsys.readouterr().out
    call_command("registry_anonymise")
    assert "1 persons anonymised" in capsys.readouterr().out
