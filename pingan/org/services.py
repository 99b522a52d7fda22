"""Writes on the organisation: departments, users and memberships."""

from __future__ import annotations

from django.db import transaction

from pingan.accounts.models import User
from pingan.geo.models import Region
from pingan.org.choices import Role
from pingan.org.models import Department, Membership


def department_upsert(*, code: str, name: str, region: Region, email: str = "") -> Department:
    """Create or update a department by code."""
    dept, _ = Department.objects.update_or_create(
        code=code, defaults={"name": name, "region": region, "email": email}
    )
    return dept


def user_upsert(
    *,
    username: str,
    name: str = "",
    password: str | None = None,
    email: str = "",
    phone: str = "",
) -> User:
    """Create a user (or update the name of an existing one). The password is set only
    for a new user, or when given for an existing one."""
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(password) if password else user.set_unusable_password()
        elif password:
            user.set_password(password)
        user.name = name
        user.email = email
        user.phone = phone
        user.save()
    return user


def membership_grant(
    *,
    user: User,
    role: str,
    region: Region | None = None,
    department: Department | None = None,
) -> Membership:
    """Give `user` a role in a scope. Handlers need a department; region roles a region."""
    if role == Role.HANDLER and department is None:
        raise ValueError("a handler membership needs a department")
    if (
        role in (Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER, Role.LEADER)
        and region is None
    ):
        raise ValueError(f"a {role} membership needs a region")
    m, _ = Membership.objects.get_or_create(
        user=user,
        role=role,
        region=region,
        department=department,
        defaults={"is_active": True},
    )
    if not m.is_active:
        m.is_active = True
        m.save(update_fields=["is_active"])
    if hasattr(user, "_pingan_memberships"):
        del user._pingan_memberships  # type: ignore[attr-defined]
    return m


def membership_scope_label(m: Membership) -> str:
    return str(m.department or m.region or "")
