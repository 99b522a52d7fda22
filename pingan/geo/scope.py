"""The scope rule, written once: a region path covers every path that starts with it.

Region paths are materialised (`/33/3304/330424/…/`, each ending in "/"), so "region A
contains region B" is "B's path starts with A's path". Every check of the rule — in Python
on one path, or as a query filter on a path column — goes through these functions;
`pingan.access` builds who-covers-what on them (docs/architecture.md, "Actor and scope").
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q


def narrowest(paths: Iterable[str]) -> list[str]:
    """The paths that no other path of `paths` covers (a path inside another adds nothing),
    shortest first."""
    out: list[str] = []
    for path in sorted(set(paths), key=lambda p: (len(p), p)):
        if not any(path.startswith(p) for p in out):
            out.append(path)
    return out


def within(path: str, ancestors: Iterable[str]) -> bool:
    """Whether one of `ancestors` covers `path` (a path covers itself)."""
    return any(path.startswith(a) for a in ancestors)


def overlaps(path: str, others: Iterable[str]) -> bool:
    """Whether `path` covers one of `others` or one of them covers it (a town and the
    grids of a user's village overlap)."""
    return any(path.startswith(o) or o.startswith(path) for o in others)


def within_q(field: str, ancestors: Iterable[str]) -> Q:
    """Query filter: the rows whose path column `field` one of `ancestors` covers. No
    ancestors, no rows (a user with no region sees nothing through this filter)."""
    q = Q(pk__in=[])
    for path in narrowest(ancestors):
        q |= Q(**{f"{field}__startswith": path})
    return q
