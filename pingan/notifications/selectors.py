"""Reads of the inbox. A user only ever sees their own notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from pingan.notifications.models import Notification


def inbox(user: Any) -> QuerySet[Notification]:
    """The user's notifications, newest first, with their events."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return (
        Notification.objects.filter(recipient=user)
        .select_related("event")
        .order_by("-created_at", "-id")
    )


def unread_group_count(user: Any) -> int:
    """How many lines of the user's inbox are unread: groups (a matter, or an hour's
    digest of new events), counted the way the inbox page shows them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .values("group_key")
        .distinct()
        .count()
    )


def inbox_groups(user: Any, *, only_unread: bool = False) -> QuerySet[Any]:
    """The user's inbox as groups, newest first: per group its key, the newest time and
    row id (`last`, `top`), how many notifications (`n`) and how many unread (`unread`).
    With `only_unread`, the groups holding an unread notification."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none().values("group_key")
    qs = Notification.objects.filter(recipient=user)
    if only_unread:
        keys = Notification.objects.filter(recipient=user, read_at__isnull=True).values("group_key")
        qs = qs.filter(group_key__in=keys)
    return (
        qs.values("group_key")
        .annotate(
            last=Max("created_at"),
            top=Max("id"),
            n=Count("id"),
            unread=Count("id", filter=Q(read_at__isnull=True)),
        )
        .order_by("-last", "-top")
    )
