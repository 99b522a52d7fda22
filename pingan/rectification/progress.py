"""The rectification counters of campaign progress (专项行动进度): orders issued under a
campaign and orders closed (销号), published ones only. Registered on
`campaigns.progress` by this app's `ready` (campaigns never imports rectification)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from pingan.rectification.choices import Status
from pingan.rectification.models import RectificationOrder


def issued(campaign: Any) -> int:
    return (
        RectificationOrder.objects.filter(campaign=campaign, published=True)
        .exclude(status=Status.CANCELLED)
        .count()
    )


def closed(campaign: Any) -> int:
    return RectificationOrder.objects.filter(
        campaign=campaign, published=True, status=Status.CLOSED
    ).count()


def install() -> None:
    from pingan.campaigns.progress import register_counter

    register_counter("rectifications_issued", gettext_noop("下发整改通知"), issued)
    register_counter("rectifications_closed", gettext_noop("整改销号"), closed)
