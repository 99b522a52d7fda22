"""Helpers for the inspections tests: an inspector, a plan, a submission."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from pingan.inspections import services
from pingan.inspections.defaults import checklists_ensure
from pingan.inspections.models import Checklist
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert


def inspector(cast: SimpleNamespace, username: str = "insp") -> Any:
    """A 督查员 of the county."""
    u = user_upsert(username=username, name="督查甲", password=cast.password)
    membership_grant(user=u, role=Role.INSPECTOR, region=cast.county)
    return u


def checklist(kind: str) -> Checklist:
    checklists_ensure()
    return Checklist.objects.filter(kind=kind).order_by("pk").first()  # type: ignore[return-value]


def plan(
    cast: SimpleNamespace,
    *,
    kind: str = "supervision",
    level: str = "special_group",
    frequency: str = "monthly",
    year: int,
    inspectors: list[Any] = (),  # type: ignore[assignment]
    towns: list[Any] | None = None,
    departments: list[Any] = (),
) -> Any:  # type: ignore[assignment]
    checklists_ensure()
    return services.plan_create(
        actor=cast.county_dispatcher,
        name=f"{year}年专项督查",
        level=level,
        kind=kind,
        frequency=frequency,
        year=year,
        target_region_ids=[t.pk for t in (towns if towns is not None else [cast.town_a])],
        target_department_ids=[d.pk for d in departments],
        inspector_ids=[u.pk for u in inspectors],
    )


def submit(
    actor: Any,
    *,
    unit: Any,
    kind: str = "supervision",
    problems: tuple[str, ...] = ("P01",),
    **more: Any,
) -> Any:
    """An ad hoc inspection of `unit` (a town) with the named items failed."""
    cl = checklist(kind)
    answers = [
        {"item": i.code, "result": "problem" if i.code in problems else "ok", "note": ""}
        for i in cl.items.all()
    ]
    inspection, _ = services.inspection_submit(
        actor=actor,
        client_uuid=more.pop("client_uuid", uuid.uuid4()),
        kind=kind,
        unit_region_id=unit.pk,
        answers=answers,
        **more,
    )
    return inspection
