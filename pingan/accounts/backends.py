"""Authentication backend: Django's password check, with back-office permissions taken
from the three administrator roles only (see `roles.py`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from pingan.accounts import roles


class RoleBackend(ModelBackend):
    """Password sign-in as ModelBackend; permissions from the administrator role.

    Per-user permissions and groups are ignored for everyone but a superuser (and
    production refuses to run while an active superuser exists)."""

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_pingan_role_perms"):
            role = roles.admin_role_of(user_obj)
            user_obj._pingan_role_perms = roles.role_permissions(role) if role else set()
        return set(user_obj._pingan_role_perms)
