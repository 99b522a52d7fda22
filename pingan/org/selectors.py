"""Reads of the organisation: a user's memberships (cached on the user object)."""

from __future__ import annotations

from typing import Any

from pingan.org.models import Department, Membership


def memberships_of(user: Any) -> list[Membership]:
    """Active memberships of `user`, with region and department, in the order granted
    (the workbench offers the first dispatcher centre), cached per request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_pingan_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True)
            .select_related("region", "department", "department__region")
            .order_by("id")
        )
        user._pingan_memberships = cached
    return cached


def user_roles(user: Any) -> set[str]:
    return {m.role for m in memberships_of(user)}


def department_list(*, user: Any) -> list[Department]:
    """Active departments (every signed-in user may see the directory)."""
    return list(Department.objects.filter(is_active=True).select_related("region"))
