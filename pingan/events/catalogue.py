"""Writes on the category catalogue: the one place its rules are checked.

Used by the built-in catalogue (`pingan.routing.catalogue`), the catalogue importer
(`manage.py import_catalogue`), the back office (CategoryAdmin) and the demo. The rules:
a two-level tree (a parent is a top-level category; a category with children takes no
parent; a leaf that already has events does not become a parent), a unique code without
spaces, a known sensitivity label, and deadlines with a known urgency and unit and an
amount above zero. A break raises `pingan.core.errors.Invalid` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Literal

from django.db import transaction
from django.utils.translation import gettext

from pingan.core.errors import invalid
from pingan.events.choices import DeadlineUnit, Urgency
from pingan.events.models import Category, CategoryDeadline, Event
from pingan.org.models import Department
from pingan.privacy.choices import Sensitivity

# (ack_amount, ack_unit, handle_amount, handle_unit) for one urgency.
Deadline = tuple[float | int | str | Decimal, str, float | int | str | Decimal, str]
Outcome = Literal["created", "updated", "unchanged"]

CODE_MAX = 32
NAME_MAX = 100
AMOUNT_MAX = Decimal("99999.9")  # the column: six digits, one after the point


class Keep(Enum):
    """Leave the stored value as it is (a new category takes the model's default)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class CategorySaved:
    category: Category
    outcome: Outcome


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, gettext("时限应为数字")) from None
    if not amount.is_finite() or amount <= 0:
        raise invalid(field, gettext("时限应大于0"))
    if amount > AMOUNT_MAX or amount != amount.quantize(Decimal("0.1")):
        raise invalid(field, gettext("时限最多一位小数，且不超过99999.9"))
    return amount.quantize(Decimal("0.1"))


def deadline_check(
    *, urgency: str, ack_amount: Any, ack_unit: str, handle_amount: Any, handle_unit: str
) -> tuple[Decimal, str, Decimal, str]:
    """The deadline as stored (amounts as Decimal); Invalid naming the field at fault."""
    if urgency not in Urgency.values:
        raise invalid("urgency", gettext("紧急程度“%(v)s”不正确") % {"v": urgency})
    ack = _amount(ack_amount, "ack_amount")
    handle = _amount(handle_amount, "handle_amount")
    for field, unit in (("ack_unit", ack_unit), ("handle_unit", handle_unit)):
        if unit not in DeadlineUnit.values:
            raise invalid(field, gettext("时限单位应为 hours 或 days"))
    return (ack, ack_unit, handle, handle_unit)


def category_check(
    *,
    code: str,
    name: str,
    parent: Category | None,
    category: Category | None = None,
    sensitivity: str = "",
) -> None:
    """Raise Invalid when a category with these values (replacing `category`, if given)
    would break the catalogue's rules."""
    if not code:
        raise invalid("code", gettext("编码为空"))
    if len(code) > CODE_MAX or any(c.isspace() for c in code):
        raise invalid("code", gettext("编码不超过32个字符，且不含空格"))
    others = Category.objects.filter(code=code)
    if category is not None and category.pk is not None:
        others = others.exclude(pk=category.pk)
    if others.exists():
        raise invalid("code", gettext("编码“%(code)s”已被其他分类使用") % {"code": code})
    if not name.strip():
        raise invalid("name", gettext("名称为空"))
    if len(name) > NAME_MAX:
        raise invalid("name", gettext("名称不超过100个字"))
    if sensitivity not in Sensitivity.values:
        raise invalid("sensitivity", gettext("敏感标签不正确"))
    if parent is None:
        return
    if category is not None and category.pk is not None and parent.pk == category.pk:
        raise invalid("parent", gettext("上级分类不能是自身"))
    if parent.parent_id is not None:
        raise invalid(
            "parent",
            gettext("分类只有两级：上级分类“%(p)s”本身是小类") % {"p": parent.name},
        )
    if category is not None and category.pk is not None and category.children.exists():
        raise invalid("parent", gettext("该分类已有下级分类，不能再设上级分类"))
    # A leaf that holds events would become a parent of events' categories.
    if (
        parent.pk is not None
        and not parent.children.exists()
        and Event.objects.filter(category_id=parent.pk).exists()
    ):
        raise invalid(
            "parent", gettext("上级分类“%(p)s”已有事件，不能再设下级分类") % {"p": parent.name}
        )


def category_save(
    *,
    code: str,
    name: str,
    category: Category | None = None,
    parent: Category | Keep | None = KEEP,
    default_department: Department | Keep | None = KEEP,
    extra_fields: list[dict[str, Any]] | Keep = KEEP,
    sort: int | Keep = KEEP,
    escalate_on_overdue: bool | Keep = KEEP,
    sensitivity: str | Keep = KEEP,
    verify_photo_required: bool | Keep = KEEP,
    is_active: bool | Keep = KEEP,
    deadlines: Mapping[str, Deadline] | None = None,
) -> CategorySaved:
    """Create or update a category after checking the catalogue's rules (Invalid, nothing
    written, when one breaks). Updates `category` when given (its code may change), else the
    category with this code. `KEEP` leaves a value as stored; `deadlines` writes the given
    urgencies only. Says whether anything was created, updated or left as it was."""
    code = code.strip()
    name = name.strip()
    checked = {
        u: deadline_check(
            urgency=u, ack_amount=d[0], ack_unit=d[1], handle_amount=d[2], handle_unit=d[3]
        )
        for u, d in (deadlines or {}).items()
    }
    with transaction.atomic():
        if category is not None and category.pk is not None:
            current: Category | None = Category.objects.select_for_update().get(pk=category.pk)
        else:
            current = Category.objects.select_for_update().filter(code=code).first()
        target = current if current is not None else Category(code=code)
        values: dict[str, Any] = {"code": code, "name": name}
        for field, value in (
            ("parent", parent),
            ("default_department", default_department),
            ("extra_fields", extra_fields),
            ("sort", sort),
            ("escalate_on_overdue", escalate_on_overdue),
            ("sensitivity", sensitivity),
            ("verify_photo_required", verify_photo_required),
            ("is_active", is_active),
        ):
            if value is not KEEP:
                values[field] = value
        category_check(
            code=code,
            name=name,
            parent=values.get("parent", target.parent),
            category=current,
            sensitivity=values.get("sensitivity", target.sensitivity),
        )
        changed = [f for f, v in values.items() if _stored(target, f) != _key(v)]
        for f in changed:
            setattr(target, f, values[f])
        if current is None:
            target.save()
        elif changed:
            target.save(update_fields=changed)
        stored = {
            d.urgency: d
            for d in CategoryDeadline.objects.filter(category=target, urgency__in=checked)
        }
        deadlines_changed = False
        for urgency, (ack, ack_unit, handle, handle_unit) in checked.items():
            row = stored.get(urgency)
            if row is not None and (
                row.ack_amount,
                row.ack_unit,
                row.handle_amount,
                row.handle_unit,
            ) == (ack, ack_unit, handle, handle_unit):
                continue
            CategoryDeadline.objects.update_or_create(
                category=target,
                urgency=urgency,
                defaults={
                    "ack_amount": ack,
                    "ack_unit": ack_unit,
                    "handle_amount": handle,
                    "handle_unit": handle_unit,
                },
            )
            deadlines_changed = True
    if category is not None:  # the caller's instance (the admin's form) reads as stored
        category.pk = target.pk
        category.refresh_from_db()
    outcome: Outcome = (
        "created"
        if current is None
        else ("updated" if changed or deadlines_changed else "unchanged")
    )
    return CategorySaved(target, outcome)


def _stored(obj: Category, field: str) -> Any:
    if field in ("parent", "default_department"):
        return getattr(obj, f"{field}_id")
    return getattr(obj, field)


def _key(value: Any) -> Any:
    return value.pk if isinstance(value, (Category, Department)) else value


def category_upsert(
    *,
    code: str,
    name: str,
    parent: Category | None = None,
    default_department: Department | None = None,
    extra_fields: list[dict[str, Any]] | None = None,
    sort: int = 0,
    escalate_on_overdue: bool = False,
    deadlines: Mapping[str, Deadline] | None = None,
    sensitivity: str | Keep = KEEP,
) -> Category:
    """Create or update a category by code, with its deadlines per urgency:
    `{urgency: (ack_amount, ack_unit, handle_amount, handle_unit)}` (see `category_save`;
    every value but the sensitivity is set as given)."""
    return category_save(
        code=code,
        name=name,
        parent=parent,
        default_department=default_department,
        extra_fields=extra_fields or [],
        sort=sort,
        escalate_on_overdue=escalate_on_overdue,
        sensitivity=sensitivity,
        deadlines=deadlines,
    ).category
