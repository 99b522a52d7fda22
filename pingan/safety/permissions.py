"""Who reads and enters which safety figures: the dispatchers and leaders of the regions
that hold a town read its figures; its own dispatchers and the county office (dispatchers
covering it) enter and correct them. Built on the actor; no path comparison here."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from pingan.access.actor import Actor, as_actor
from pingan.org.choices import Role

READERS = frozenset({Role.DISPATCHER, Role.LEADER})
EDITORS = frozenset({Role.DISPATCHER})

__all__ = ["can_edit", "can_read", "figure_scope_q"]


def figure_scope_q(actor: Actor | Any) -> Q:
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    return actor.region_q("region_path", READERS)


def can_read(actor: Actor | Any, path: str) -> bool:
    return as_actor(actor).covers(path, READERS)


def can_edit(actor: Actor | Any, path: str) -> bool:
    return as_actor(actor).covers(path, EDITORS)


def is_reader(actor: Actor | Any) -> bool:
    return bool(as_actor(actor).holding(READERS))
