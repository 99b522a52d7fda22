"""Writes on the organisation: departments, users and memberships."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext

from pingan.accounts.models import User
from pingan.core.errors import invalid
from pingan.geo.models import Region
from pingan.org.choices import Role
from pingan.org.models import Department, Membership


def department_upsert(*, code: str, name: str, region: Region, email: str = "") -> Department:
    """Create or update a department by code (Invalid naming the field when a value is
    bad: an empty code or one with spaces or over 32 characters, an empty name or one over
    100, a malformed e-mail address)."""
    code, name, email = code.strip(), name.strip(), email.strip()
    if not code:
        raise invalid("code", gettext("编码为空"))
    if len(code) > 32 or any(c.isspace() for c in code):
        raise invalid("code", gettext("编码不超过32个字符，且不含空格"))
    if not name:
        raise invalid("name", gettext("名称为空"))
    if len(name) > 100:
        raise invalid("name", gettext("名称不超过100个字"))
    if email and not _email_ok(email):
        raise invalid("email", gettext("邮箱格式不正确"))
    dept, _ = Department.objects.update_or_create(
        code=code, defaults={"name": name, "region": region, "email": email}
    )
    return dept


def _email_ok(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return len(email) <= 254  # the column's length


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
