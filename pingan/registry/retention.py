"""Retention of the people registers (PIPL): the records of people who no longer live in
the county are anonymised after the configured period.

`PINGAN_REGISTRY_RETENTION_DAYS` (settings; default 1095 days, three years) is either one
number for every register or a mapping per register: `{"persons": 1095,
"key_persons": 1825}`. A person who moved out (or died) is anonymised once `persons` days
have passed since `moved_out_at`, and once every key-person record of theirs has been
closed for `key_persons` days (a person still supervised is kept). Anonymising clears
the name (replaced by 已匿名), the ID number, the phone, the address and both blind
indexes, keeps the birth year and sex (for the figures), clears the free text about them
(visit notes, key-person notes, points reasons, move notes) and the masked values of
their change history (the field names stay), and clears a household's address when no
one of it is left. `manage.py registry_anonymise` and the task `registry_anonymise` run
it; running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from pingan.access.actor import Actor
from pingan.core import clock
from pingan.registry.choices import GONE, KeyPersonStatus
from pingan.registry.models import (
    Household,
    KeyPerson,
    KeyPersonVisit,
    Person,
    PersonMove,
    PointsEntry,
    RecordChange,
)
from pingan.registry.services import today

DEFAULT_DAYS = 3 * 365
REGISTERS = ("persons", "key_persons")
ANONYMOUS = "已匿名"


def retention_days(register: str) -> int:
    """The configured period of `register` (days after the person left)."""
    raw: Any = getattr(settings, "PINGAN_REGISTRY_RETENTION_DAYS", DEFAULT_DAYS)
    if isinstance(raw, dict):
        raw = raw.get(register, DEFAULT_DAYS)
    try:
        days = int(raw)
    except (TypeError, ValueError):
        days = DEFAULT_DAYS
    return max(days, 0)


def due(day: dt.date | None = None) -> Any:
    """The persons whose records are past the retention period, not yet anonymised."""
    day = day or today()
    persons_cut = day - dt.timedelta(days=retention_days("persons"))
    kp_cut = day - dt.timedelta(days=retention_days("key_persons"))
    still_kept = KeyPerson.objects.filter(person=OuterRef("pk")).filter(
        Q(status=KeyPersonStatus.ACTIVE) | Q(until__isnull=True) | Q(until__gt=kp_cut)
    )
    return Person.objects.filter(
        status__in=GONE, moved_out_at__lte=persons_cut, anonymised_at__isnull=True
    ).exclude(Exists(still_kept))


def anonymise(person: Person) -> None:
    """Clear one person's personal data everywhere in the registers (module docstring)."""
    now = clock.now()
    born = person.birth_date.replace(month=1, day=1) if person.birth_date else None
    Person.objects.filter(pk=person.pk).update(
        name=ANONYMOUS,
        id_number="",
        id_index="",
        phone="",
        phone_index="",
        address="",
        relation="",
        birth_date=born,
        anonymised_at=now,
        updated_at=now,
        updated_by=None,
    )
    KeyPerson.objects.filter(person=person).update(note="")
    KeyPersonVisit.objects.filter(key_person__person=person).update(note="", lat=None, lng=None)
    PointsEntry.objects.filter(person=person).update(reason="", evidence_note="")
    PersonMove.objects.filter(person=person).update(note="")
    for change in RecordChange.objects.filter(person=person).only("pk", "fields"):
        cleared = {
            name: {"old": "", "new": ""} if isinstance(v, dict) else ""
            for name, v in (change.fields or {}).items()
        }
        RecordChange.objects.filter(pk=change.pk).update(fields=cleared)
    if person.household_id is not None:
        others = Person.objects.filter(household_id=person.household_id).exclude(pk=person.pk)
        if not others.filter(anonymised_at__isnull=True).exists():
            Household.objects.filter(pk=person.household_id).update(address="")
    RecordChange.objects.create(
        model="person",
        object_id=person.pk,
        person=person,
        action="anonymise",
        fields={f: {"old": "", "new": ""} for f in ("name", "id_number", "phone", "address")},
        actor=None,
        actor_name="system:registry_retention",
        source="system",
        at=now,
    )


def anonymise_due(day: dt.date | None = None, *, limit: int | None = None) -> int:
    """Anonymise every person past the retention period (in batches, one transaction per
    person); how many. Audited once per run with the count (no personal data)."""
    done = 0
    ids = list(due(day).order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        with transaction.atomic():
            person = Person.objects.select_for_update().filter(pk=pk).first()
            if person is None or person.anonymised_at is not None:
                continue
            if person.status not in GONE:  # came back meanwhile
                continue
            anonymise(person)
            done += 1
    if done:
        Actor.system("registry_retention").audit(
            "registry.anonymise",
            object_type="registry.person",
            detail={"count": done, "days": {r: retention_days(r) for r in REGISTERS}},
        )
    return done


__all__ = ["ANONYMOUS", "anonymise", "anonymise_due", "due", "retention_days"]
