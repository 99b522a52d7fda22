"""Reads for routing: which department should lead an event, and which should assist."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from pingan.access.actor import Actor
from pingan.events.models import Category, Event
from pingan.events.permissions import access_event
from pingan.org.models import Department
from pingan.routing.models import RoutingRule

# A category tree is two levels deep; the bound only guards against a cycle in bad data.
_MAX_CATEGORY_DEPTH = 8


@dataclass(frozen=True)
class Suggestion:
    """The suggested lead and assisting departments and the rule that chose them.

    `rule` is None when the category's default department was used (or nothing matched,
    then `lead` is None too).
    """

    lead: Department | None
    assisting: list[Department] = field(default_factory=list)
    rule: RoutingRule | None = None

    @property
    def reason(self) -> str:
        if self.rule is not None:
            return gettext("分流规则：%(category)s @ %(region)s") % {
                "category": self.rule.category,
                "region": self.rule.region,
            }
        if self.lead is not None:
            return gettext("分类默认主办部门")
        return gettext("无匹配的分流规则")


def _category_chain(category: Category) -> list[Category]:
    """The category and its ancestors, the category itself first."""
    chain = [category]
    current = category
    while current.parent_id is not None and len(chain) < _MAX_CATEGORY_DEPTH:
        parent = Category.objects.filter(pk=current.parent_id).first()
        if parent is None or parent in chain:
            break
        chain.append(parent)
        current = parent
    return chain


def _path_prefixes(path: str) -> list[str]:
    """ "a/b/c/" → ["a/", "a/b/", "a/b/c/"]: the paths of a region and its ancestors."""
    codes = [c for c in path.split("/") if c]
    return ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def suggest(event: Event) -> Suggestion:
    """The most specific active rule for the event's category and place: own category over
    its parent, then the deepest region containing the event, then the highest priority;
    else the category's (or its parent's) default department."""
    chain = _category_chain(event.category)
    rank = {c.pk: len(chain) - i for i, c in enumerate(chain)}  # own category ranks highest
    rules = list(
        RoutingRule.objects.filter(
            is_active=True,
            category_id__in=rank,
            region__path__in=_path_prefixes(event.region_path),
            lead_department__is_active=True,
        ).select_related("category", "region", "lead_department")
    )
    if rules:
        best = max(rules, key=lambda r: (rank[r.category_id], r.region.depth, r.priority, -r.pk))
        assisting = [
            d
            for d in best.assisting_departments.filter(is_active=True).order_by("code")
            if d.pk != best.lead_department_id
        ]
        return Suggestion(lead=best.lead_department, assisting=assisting, rule=best)
    for category in chain:
        if category.default_department_id is not None:
            dept = Department.objects.filter(
                pk=category.default_department_id, is_active=True
            ).first()
            if dept is not None:
                return Suggestion(lead=dept)
    return Suggestion(lead=None)


def suggest_for(*, user: Actor | Any, event_id: int) -> Suggestion:
    """The suggestion for an event the user can see (404 out of scope)."""
    event = access_event(user, event_id)
    return suggest(event)
