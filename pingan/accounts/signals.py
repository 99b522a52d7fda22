"""Account changes that must take effect everywhere at once.

- A new password (any path: the user's own page, the admin's reset form, a command):
  the date is kept for the 90-day rule, every API token of the user is revoked, and every
  other session dies (Django checks the session's password hash on each request).
- Disabling an account: its API tokens are revoked; its sessions stop at the next request
  (the authentication backend refuses inactive users).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.utils import timezone

from pingan.accounts.models import ApiToken, User


def before_user_save(sender: type, instance: User, raw: bool = False, **_: Any) -> None:
    if raw:
        return
    # `set_password` keeps the raw password on the instance until it is saved; a hash
    # upgrade at sign-in clears it first, so it does not count as a change.
    instance._pingan_new_password = getattr(instance, "_password", None) is not None  # type: ignore[attr-defined]
    instance._pingan_disabled = False  # type: ignore[attr-defined]
    if instance.pk is not None and not instance.is_active:
        was = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
        instance._pingan_disabled = bool(was)  # type: ignore[attr-defined]


def after_user_save(
    sender: type, instance: User, created: bool = False, raw: bool = False, **_: Any
) -> None:
    if raw:
        return
    if getattr(instance, "_pingan_new_password", False):
        instance.password_changed_at = timezone.now()
        User.objects.filter(pk=instance.pk).update(password_changed_at=instance.password_changed_at)
        if not created:
            ApiToken.objects.filter(user=instance, revoked=False).update(revoked=True)
    if getattr(instance, "_pingan_disabled", False):
        ApiToken.objects.filter(user=instance, revoked=False).update(revoked=True)
    instance._pingan_new_password = instance._pingan_disabled = False  # type: ignore[attr-defined]


def stamp_session(sender: type, request: Any, user: User, **_: Any) -> None:
    """The moment of sign-in, for the absolute session limit."""
    if request is not None and hasattr(request, "session"):
        request.session["pingan_auth_at"] = timezone.now().timestamp()


def connect() -> None:
    from django.db.models.signals import post_save, pre_save

    pre_save.connect(before_user_save, sender=User, dispatch_uid="pingan.accounts.pre_save")
    post_save.connect(after_user_save, sender=User, dispatch_uid="pingan.accounts.post_save")
    user_logged_in.connect(stamp_session, dispatch_uid="pingan.accounts.stamp_session")
    _ = user_login_failed  # failures are audited by services.user_authenticate
