"""Residence permits (states, who may act) and the points ledger (total, level, caps,
reversal)."""

from __future__ import annotations

import datetime as dt

import pytest

from pingan.core.errors import Conflict, Forbidden, Invalid
from pingan.registry import services
from pingan.registry.models import Person, RecordChange, ResidencePermit
from pingan.registry.services import today
from pingan.registry.tests.factories import person, points_rules

pytestmark = pytest.mark.django_db


def new_resident(cast):
    return person(cast.grid_a1, kind="new_resident")


def test_permit_lifecycle(cast):
    p = new_resident(cast)
    day = today()
    permit = services.permit_apply(actor=cast.gridworker, person_id=p.pk)
    assert permit.status == "applied" and permit.applied_on == day
    with pytest.raises(Conflict):  # one pending or valid permit at a time
        services.permit_apply(actor=cast.gridworker, person_id=p.pk)
    with pytest.raises(Forbidden):  # issuing is the centre's
        services.permit_act(
            actor=cast.gridworker, permit_id=permit.pk, action="issue", number="J1",
            expires_on=day + dt.timedelta(days=365),
        )  # fmt: skip
    with pytest.raises(Invalid) as e:
        services.permit_act(
            actor=cast.dispatcher, permit_id=permit.pk, action="issue", number="J1",
            expires_on=day,
        )  # fmt: skip
    assert "expires_on" in e.value.fields
    with pytest.raises(Invalid) as e:
        services.permit_act(
            actor=cast.dispatcher, permit_id=permit.pk, action="issue",
            expires_on=day + dt.timedelta(days=365),
        )  # fmt: skip
    assert "number" in e.value.fields
    services.permit_act(
        actor=cast.dispatcher, permit_id=permit.pk, action="issue", number="J1",
        expires_on=day + dt.timedelta(days=10),
    )  # fmt: skip
    permit.refresh_from_db()
    assert (permit.status, permit.number, permit.issued_on) == ("issued", "J1", day)
    # Expiry: the daily run marks it once it has passed.
    assert services.permits_expire(day) == 0
    assert services.permits_expire(day + dt.timedelta(days=11)) == 1
    permit.refresh_from_db()
    assert permit.status == "expired"
    services.permit_act(
        actor=cast.dispatcher, permit_id=permit.pk, action="renew",
        expires_on=day + dt.timedelta(days=400),
    )  # fmt: skip
    permit.refresh_from_db()
    assert permit.status == "issued"
    with pytest.raises(Invalid):  # a revocation says why
        services.permit_act(actor=cast.dispatcher, permit_id=permit.pk, action="revoke")
    services.permit_act(actor=cast.dispatcher, permit_id=permit.pk, action="revoke", note="离开")
    permit.refresh_from_db()
    assert permit.status == "revoked" and permit.closed_on == day
    with pytest.raises(Conflict):
        services.permit_act(
            actor=cast.dispatcher, permit_id=permit.pk, action="renew",
            expires_on=day + dt.timedelta(days=800),
        )  # fmt: skip
    actions = list(
        RecordChange.objects.filter(model="permit", object_id=permit.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["apply", "issue", "renew", "revoke"]


def test_permits_are_for_new_residents(cast):
    local = person(cast.grid_a1)
    with pytest.raises(Conflict):
        services.permit_apply(actor=cast.gridworker, person_id=local.pk)


def test_moving_out_revokes_the_permit(cast):
    p = new_resident(cast)
    permit = services.permit_apply(actor=cast.gridworker, person_id=p.pk)
    services.permit_act(
        actor=cast.dispatcher, permit_id=permit.pk, action="issue", number="J2",
        expires_on=today() + dt.timedelta(days=365),
    )  # fmt: skip
    services.person_move_out(actor=cast.dispatcher, person_id=p.pk, on=today())
    assert ResidencePermit.objects.get(pk=permit.pk).status == "revoked"


def test_points_total_level_and_history(cast):
    rules = points_rules()
    p = new_resident(cast)
    for _ in range(6):
        services.points_add(
            actor=cast.dispatcher, person_id=p.pk, rule="volunteer", reason="社区志愿服务"
        )
    services.points_add(actor=cast.dispatcher, person_id=p.pk, rule="edu", reason="取得大专学历")
    services.points_add(actor=cast.dispatcher, person_id=p.pk, rule="insurance", reason="社保")
    p.refresh_from_db()
    assert p.points_total == 30 + 20 + 10
    assert services.points_level(p.points_total).name == "二级"
    # The yearly cap of a rule: volunteering is capped at 30 a year.
    with pytest.raises(Invalid) as e:
        services.points_add(
            actor=cast.dispatcher, person_id=p.pk, rule="volunteer", reason="再一次"
        )
    assert "rule" in e.value.fields
    # A cap counts the year of the entry: last year's entries do not count this year.
    last_year = today().replace(month=1, day=1) - dt.timedelta(days=1)
    services.points_add(
        actor=cast.dispatcher, person_id=p.pk, rule="volunteer", reason="去年", on=last_year
    )
    entry = services.points_add(
        actor=cast.dispatcher, person_id=p.pk, rule="violation", reason="违规"
    )
    p.refresh_from_db()
    assert p.points_total == 60 + 5 - 10
    back = services.points_reverse(actor=cast.dispatcher, entry_id=entry.pk, reason="误记")
    assert back.points == 10 and back.reverses == entry
    with pytest.raises(Conflict):
        services.points_reverse(actor=cast.dispatcher, entry_id=entry.pk, reason="再冲")
    p.refresh_from_db()
    assert p.points_total == 65
    assert services.points_level(p.points_total).name == "二级"
    assert rules["edu"].entries.count() == 1
    assert RecordChange.objects.filter(person=p, action="points_add").count() == 10


def test_points_are_the_centres_and_for_new_residents(cast):
    points_rules()
    p = new_resident(cast)
    with pytest.raises(Forbidden):
        services.points_add(actor=cast.gridworker, person_id=p.pk, rule="edu", reason="x")
    local = person(cast.grid_a1)
    with pytest.raises(Conflict):
        services.points_add(actor=cast.dispatcher, person_id=local.pk, rule="edu", reason="x")
    with pytest.raises(Invalid) as e:
        services.points_add(actor=cast.dispatcher, person_id=p.pk, rule="nope", reason="x")
    assert "rule" in e.value.fields
    assert Person.objects.get(pk=p.pk).points_total == 0
