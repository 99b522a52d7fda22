"""The listed item's part of the permission walk (pingan/cases/tests/test_walk.py): one
user per role, one item in each state a row starts from, "nothing changed"."""

from __future__ import annotations

from typing import Any

from pingan.campaigns.models import ListedItem, ListingProgress, ListingTransition
from pingan.campaigns.tests.factories import at_state
from pingan.events.tests import walk as event_walk
from pingan.org.choices import Role


def people(cast: Any) -> dict[str, Any]:
    """The event's people; the dispatcher is the county's (the office)."""
    out = event_walk.people(cast)
    out[Role.DISPATCHER] = cast.county_dispatcher
    return out


def build(cast: Any) -> dict[str, ListedItem]:
    """One item per open state, in grid A1 (its grid staff see them), town A its owner."""
    return {s: at_state(cast, s) for s in ("listed", "rectifying", "acceptance", "accepted")}


_PREFERENCE = ["rectifying", "acceptance", "listed", "accepted"]


def case_for(row: Any, built: dict[str, ListedItem]) -> ListedItem:
    for state in _PREFERENCE:
        if state in row.sources:
            return built[state]
    raise AssertionError(f"no item built for {row.action}")


def payload_for(row: Any) -> dict[str, Any]:
    return {}


def snapshot(item: ListedItem) -> tuple[str, str, int, int]:
    fresh = ListedItem.objects.get(pk=item.pk)
    return (
        fresh.status,
        fresh.deadline.isoformat(),
        ListingTransition.objects.filter(item=item).count(),
        ListingProgress.objects.filter(item=item).count(),
    )
