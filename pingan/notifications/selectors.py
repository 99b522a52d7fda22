"""Reads of the inbox. A user only ever sees their own notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

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


def unread_count(user: Any) -> int:
    """How many of the user's notifications are unread."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
