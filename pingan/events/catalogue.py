"""Writes on the category catalogue (used by admin-like set-up code and the demo)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from pingan.events.choices import DeadlineUnit, Urgency
from pingan.events.models import Category, CategoryDeadline
from pingan.org.models import Department


def category_upsert(
    *,
    code: str,
    name: str,
    parent: Category | None = None,
    default_department: Department | None = None,
    extra_fields: list[dict[str, Any]] | None = None,
    sort: int = 0,
    escalate_on_overdue: bool = False,
    deadlines: dict[str, tuple[float, str, float, str]] | None = None,
) -> Category:
    """Create or update a category by code, with its deadlines per urgency:
    `{urgency: (ack_amount, ack_unit, handle_amount, handle_unit)}`."""
    with transaction.atomic():
        cat, _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": parent,
                "default_department": default_department,
                "extra_fields": extra_fields or [],
                "sort": sort,
                "escalate_on_overdue": escalate_on_overdue,
            },
        )
        for urgency, (ack, ack_unit, handle, handle_unit) in (deadlines or {}).items():
            assert urgency in Urgency.values and ack_unit in DeadlineUnit.values
            CategoryDeadline.objects.update_or_create(
                category=cat,
                urgency=urgency,
                defaults={
                    "ack_amount": Decimal(str(ack)),
                    "ack_unit": ack_unit,
                    "handle_amount": Decimal(str(handle)),
                    "handle_unit": handle_unit,
                },
            )
    return cat
