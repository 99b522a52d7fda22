"""The actor: one person (or the system) acting, resolved once per request or task.

An `Actor` carries what every permission check and every audit row needs — the user,
their active memberships (role × region and/or department), the roles, the region paths
and departments they cover, their sensitivity clearances and the client's address — so
that services take `actor: Actor` instead of `user: Any` plus a `request` kept only for
the audit log, and no check loads the memberships again.

- In a view: `actor_of(request)` (cached on the request; the API's token user included).
- In a task or command: `Actor.for_user(user)`, or `Actor.system("sla")` for the system.
- Services that accept a user for convenience (tests, shell) call `as_actor(x)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from pingan.core import audit
from pingan.core.clientaddr import client_address
from pingan.geo import scope as paths
from pingan.org.choices import Role
from pingan.org.selectors import memberships_of
from pingan.privacy.selectors import cleared_labels

if TYPE_CHECKING:
    from django.http import HttpRequest

    from pingan.accounts.models import User
    from pingan.org.models import Membership

# The roles whose membership region is a territory they see (handlers see by department).
REGION_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER, Role.LEADER})

_REQUEST_CACHE = "_pingan_actor"


@dataclass(frozen=True, eq=False)
class Actor:
    """Who acts. `user` is None for the system (`name` then says which part of it)."""

    user: User | None
    memberships: tuple[Membership, ...] = ()
    client_addr: str | None = None
    name: str = ""
    _clearances: frozenset[str] | None = field(default=None, repr=False)

    # ---- construction -------------------------------------------------------------------

    @classmethod
    def for_user(cls, user: Any, *, client_addr: str | None = None) -> Actor:
        """The actor for `user` (memberships loaded once; anonymous → no memberships)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(user=None, client_addr=client_addr)
        return cls(user=user, memberships=tuple(memberships_of(user)), client_addr=client_addr)

    @classmethod
    def system(cls, name: str) -> Actor:
        """The system acting on its own (the deadline sweeper, an import, an integration)."""
        return cls(user=None, name=name)

    # ---- who ----------------------------------------------------------------------------

    @property
    def pk(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @cached_property
    def clearances(self) -> frozenset[str]:
        """Sensitivity labels this actor may see (docs/privacy.md)."""
        if self._clearances is not None:
            return self._clearances
        return cleared_labels(self.user) if self.user is not None else frozenset()

    def holding(self, roles: Iterable[str] | None = None) -> list[Membership]:
        """The memberships in `roles` (all of them when None)."""
        if roles is None:
            return list(self.memberships)
        wanted = set(roles)
        return [m for m in self.memberships if m.role in wanted]

    # ---- what they cover ------------------------------------------------------------------

    def paths(self, roles: Iterable[str] | None = REGION_ROLES) -> list[str]:
        """The region paths this actor covers in `roles` (narrowest set, shortest first)."""
        return paths.narrowest(m.region.path for m in self.holding(roles) if m.region is not None)

    def department_ids(self, roles: Iterable[str] | None = (Role.HANDLER,)) -> set[int]:
        """The departments this actor belongs to in `roles` (handlers by default)."""
        return {m.department_id for m in self.holding(roles) if m.department_id is not None}

    def covers(self, path: str, roles: Iterable[str] | None = REGION_ROLES) -> bool:
        """Whether one of this actor's regions in `roles` contains the region at `path`."""
        return paths.within(path, self.paths(roles))

    def region_q(self, field: str = "region_path", roles: Iterable[str] | None = REGION_ROLES) -> Q:
        """Query filter: rows whose path column `field` lies in this actor's regions."""
        return paths.within_q(field, self.paths(roles))

    # ---- the audit trail --------------------------------------------------------------------

    def audit(
        self,
        action: str,
        *,
        object_type: str = "",
        object_id: object = "",
        result: str = "ok",
        detail: dict[str, Any] | None = None,
    ) -> audit.AuditEntry:
        """One audit row by this actor, with the client's address it came from."""
        return audit.record(
            action=action,
            actor=self.user,
            username="" if self.user is not None else (f"system:{self.name}" if self.name else ""),
            object_type=object_type,
            object_id=object_id,
            result=result,
            ip=self.client_addr,
            detail=detail,
        )


def actor_of(request: HttpRequest) -> Actor:
    """The actor of a request, resolved once: the signed-in user (or the API token's user,
    `request.auth`) with the client's address (trusted proxies only, core/clientaddr.py)."""
    user = getattr(request, "auth", None)
    if user is None or not hasattr(user, "get_username"):
        user = getattr(request, "user", None)
    key = user if getattr(user, "is_authenticated", False) else None
    cached: Actor | None = request.__dict__.get(_REQUEST_CACHE)
    if cached is not None and cached.user is key:
        return cached
    actor = Actor.for_user(user, client_addr=client_address(request))
    request.__dict__[_REQUEST_CACHE] = actor
    return actor


def as_actor(who: Any) -> Actor:
    """`who` as an actor: an Actor is returned as it is, a user is resolved (no client
    address: for tasks, commands and tests), None is the anonymous actor."""
    if isinstance(who, Actor):
        return who
    return Actor.for_user(who)


def acting(user: Any, request: HttpRequest | None = None) -> Actor:
    """The actor for `user` in `request` (the request's own actor when it is that user):
    for services that still receive a user and a request from their callers."""
    if request is not None:
        actor = actor_of(request)
        if actor.user is user:
            return actor
    return Actor.for_user(user, client_addr=client_address(request))
