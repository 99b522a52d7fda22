"""The category service: the catalogue's rules checked in one place, for the importer,
the built-in catalogue and the back office alike; nothing written when one breaks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from pingan.core.errors import Invalid
from pingan.events.catalogue import category_save, category_upsert
from pingan.events.models import Category, CategoryDeadline
from pingan.events.services import event_report
from pingan.org.services import user_upsert


def _fails(field: str, **kwargs) -> str:
    before = (Category.objects.count(), CategoryDeadline.objects.count())
    with pytest.raises(Invalid) as exc:
        category_save(**kwargs)
    assert list(exc.value.fields) == [field]
    assert (Category.objects.count(), CategoryDeadline.objects.count()) == before
    return exc.value.fields[field]


def test_the_tree_stays_two_levels(cast):
    # A leaf cannot be a parent.
    assert "两级" in _fails("parent", code="dispute.x", name="新小类", parent=cast.neighbour)
    # A top-level category with children cannot go under another.
    assert "下级" in _fails(
        "parent", category=cast.dispute, code="dispute", name="矛盾纠纷", parent=cast.hazard
    )
    # Nor under itself.
    top = category_upsert(code="lonely", name="孤立大类")
    assert "自身" in _fails("parent", category=top, code="lonely", name="孤立大类", parent=top)


def test_a_leaf_with_events_does_not_become_a_parent(cast):
    lat, lng = cast.point_a1
    event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="楼道堆放杂物",
        lat=lat,
        lng=lng,
    )
    top = category_upsert(code="top", name="大类")
    leaf = category_upsert(code="top.leaf", name="小类", parent=top)
    # The neighbour leaf is under dispute, so the rule above already refuses it; move a
    # leaf with events to the top level first, as an administrator might.
    category_save(category=cast.neighbour, code=cast.neighbour.code, name="邻里纠纷", parent=None)
    reason = _fails("parent", category=leaf, code="top.leaf", name="小类", parent=cast.neighbour)
    assert "已有事件" in reason


def test_codes_are_unique_and_without_spaces(cast):
    assert "已被" in _fails("code", category=cast.fire, code="dispute.neighbour", name="消防")
    assert "空格" in _fails("code", code="has space", name="名称")
    assert "为空" in _fails("name", code="ok", name="  ")
    assert "敏感" in _fails("sensitivity", code="ok", name="名称", sensitivity="secret")


@pytest.mark.parametrize(
    ("deadline", "field"),
    [
        ((0, "hours", 5, "days"), "ack_amount"),
        ((4, "hours", -1, "days"), "handle_amount"),
        ((4, "hours", "五", "days"), "handle_amount"),
        ((4, "minutes", 5, "days"), "ack_unit"),
        ((4, "hours", 5, "weeks"), "handle_unit"),
        ((4, "hours", "0.25", "days"), "handle_amount"),
    ],
)
def test_bad_deadlines_write_nothing(cast, deadline, field):
    _fails(
        field, code="new.leaf", name="新小类", parent=cast.hazard, deadlines={"normal": deadline}
    )


def test_unknown_urgency_is_refused(cast):
    _fails("urgency", code="new.leaf", name="新小类", deadlines={"soon": (1, "hours", 1, "days")})


def test_saving_the_same_values_changes_nothing_and_keep_leaves_values(cast):
    first = category_save(
        code="hazard.gas",
        name="燃气隐患",
        parent=cast.hazard,
        default_department=cast.housing,
        extra_fields=[{"name": "x", "label": "某项", "type": "text"}],
        deadlines={"normal": (2, "hours", 3, "days")},
    )
    assert first.outcome == "created"
    again = category_save(
        code="hazard.gas",
        name="燃气隐患",
        parent=cast.hazard,
        default_department=cast.housing,
        deadlines={"normal": ("2.0", "hours", 3, "days")},
    )
    assert again.outcome == "unchanged"
    changed = category_save(
        code="hazard.gas", name="燃气安全隐患", deadlines={"urgent": (1, "hours", 8, "hours")}
    )
    assert changed.outcome == "updated"
    gas = Category.objects.get(code="hazard.gas")
    assert gas.name == "燃气安全隐患"
    assert gas.parent == cast.hazard and gas.default_department == cast.housing  # kept
    assert gas.extra_fields == [{"name": "x", "label": "某项", "type": "text"}]  # kept
    assert {d.urgency: d.handle_amount for d in gas.deadlines.all()} == {
        "normal": Decimal("3.0"),
        "urgent": Decimal("8.0"),
    }


# ---- the back office saves through the same service -------------------------------------


@pytest.fixture
def staff_client(client, cast):
    u = user_upsert(username="root", name="超级管理员", password=cast.password)
    u.is_staff = u.is_superuser = True
    u.save()
    client.force_login(u)
    return client


def _form(**values) -> dict[str, str]:
    data = {
        "code": "hazard.lift",
        "name": "电梯安全隐患",
        "extra_fields": "[]",
        "sort": "5",
        "is_active": "on",
        "deadlines-TOTAL_FORMS": "0",
        "deadlines-INITIAL_FORMS": "0",
        "deadlines-MIN_NUM_FORMS": "0",
        "deadlines-MAX_NUM_FORMS": "1000",
    }
    data.update(values)
    return data


def test_admin_shows_the_service_rule_on_the_form(staff_client, cast):
    r = staff_client.post(reverse("admin:events_category_add"), _form(parent=str(cast.fire.pk)))
    assert r.status_code == 200
    assert "本身是小类" in r.content.decode()
    assert not Category.objects.filter(code="hazard.lift").exists()


def test_admin_refuses_a_zero_deadline(staff_client, cast):
    deadline = {
        "deadlines-TOTAL_FORMS": "1",
        "deadlines-0-urgency": "normal",
        "deadlines-0-ack_amount": "0",
        "deadlines-0-ack_unit": "hours",
        "deadlines-0-handle_amount": "5",
        "deadlines-0-handle_unit": "days",
        "deadlines-0-natural_time": "",
    }
    r = staff_client.post(
        reverse("admin:events_category_add"), _form(parent=str(cast.hazard.pk), **deadline)
    )
    assert r.status_code == 200
    assert "时限应大于0" in r.content.decode()
    assert not Category.objects.filter(code="hazard.lift").exists()


def test_admin_creates_and_edits_through_the_service(staff_client, cast):
    r = staff_client.post(reverse("admin:events_category_add"), _form(parent=str(cast.hazard.pk)))
    assert r.status_code == 302
    lift = Category.objects.get(code="hazard.lift")
    assert lift.parent == cast.hazard and lift.sort == 5
    r = staff_client.post(
        reverse("admin:events_category_change", args=[lift.pk]),
        _form(code="hazard.elevator", parent=str(cast.hazard.pk), sort="6"),
    )
    assert r.status_code == 302
    lift.refresh_from_db()
    assert (lift.code, lift.sort) == ("hazard.elevator", 6)


def test_admin_creates_a_category_with_its_deadline_rows(staff_client, cast):
    deadline = {
        "deadlines-TOTAL_FORMS": "1",
        "deadlines-0-urgency": "normal",
        "deadlines-0-ack_amount": "2",
        "deadlines-0-ack_unit": "hours",
        "deadlines-0-handle_amount": "3",
        "deadlines-0-handle_unit": "days",
        "deadlines-0-natural_time": "",
    }
    r = staff_client.post(
        reverse("admin:events_category_add"), _form(parent=str(cast.hazard.pk), **deadline)
    )
    assert r.status_code == 302
    lift = Category.objects.get(code="hazard.lift")
    (row,) = lift.deadlines.all()
    assert (row.urgency, row.ack_amount, row.handle_amount) == ("normal", 2, 3)
