"""System checks of the account rules (run by `manage.py check`, `migrate`, `runserver`).

In production (`PINGAN_ENV=production`):
- accounts.E001: an active superuser exists. A superuser holds every power at once and
  breaks the separation of the three administrators; production refuses to start
  (`config/wsgi.py` runs this check too) until it is disabled or demoted.
- accounts.E002: users are exempt from two-factor sign-in (`PINGAN_MFA_EXEMPT_USERS`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError


def superusers_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    from pingan.accounts.models import User

    try:
        names = list(
            User.objects.filter(is_superuser=True, is_active=True).values_list(
                "username", flat=True
            )[:5]
        )
    except DatabaseError:
        return []  # no database yet (before migrate): nothing to refuse
    if not names:
        return []
    return [
        checks.Error(
            f"生产环境存在启用的超级用户：{', '.join(names)}",
            hint="三员分立：请停用超级用户或取消其超级用户身份"
            "（manage.py shell 或后台），由系统、安全、审计管理员分别履职。",
            id="accounts.E001",
        )
    ]


def mfa_exempt_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if getattr(settings, "PRODUCTION", False) and settings.PINGAN_MFA_EXEMPT_USERS:
        return [
            checks.Error(
                "生产环境不得免除双因素认证：PINGAN_MFA_EXEMPT_USERS 不为空",
                hint="该设置仅供演示环境使用。",
                id="accounts.E002",
            )
        ]
    return []


def refuse_to_start_with_errors() -> None:
    """Raise when the account checks fail (called by the WSGI/ASGI entry points)."""
    errors = superusers_check() + mfa_exempt_check()
    if errors:
        raise RuntimeError("; ".join(f"{e.id}: {e.msg}" for e in errors))


def register() -> None:
    checks.register(superusers_check, checks.Tags.security)
    checks.register(mfa_exempt_check, checks.Tags.security)
