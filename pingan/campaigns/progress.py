"""A campaign's progress against its targets.

Each target names a metric. Built in: `events` (the campaign's events: by its rule plus
those tagged by hand), `hazards_fixed` (those closed), `listings` and
`listings_delisted` (listed items of the campaign, and those delisted) and `entered` (the
office enters the actual value with a note). Other apps add theirs in their
`AppConfig.ready` with `register_counter(metric, label_msgid, fn)`; `fn(campaign)` answers
the actual value (e.g. "inspections", "rectifications_issued", "rectifications_closed").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_noop

from pingan.campaigns.choices import ListingStatus
from pingan.campaigns.models import Campaign, CampaignTarget
from pingan.campaigns.selectors import event_counts

ENTERED = "entered"
BUILT_IN: dict[str, str] = {
    "events": gettext_noop("专项行动事件数"),
    "hazards_fixed": gettext_noop("已办结（整改）事件数"),
    "listings": gettext_noop("挂牌整治项数"),
    "listings_delisted": gettext_noop("已摘牌数"),
    ENTERED: gettext_noop("填报数值"),
}


@dataclass(frozen=True)
class Counter:
    metric: str
    label: str
    fn: Callable[[Campaign], int]


_COUNTERS: dict[str, Counter] = {}


def register_counter(metric: str, label_msgid: str, fn: Callable[[Campaign], int]) -> None:
    """Make `metric` available to campaign targets; `fn(campaign)` is its actual value.
    Registering the same metric again replaces it (a reloaded app); a built-in name is
    refused."""
    if metric in BUILT_IN:
        raise ValueError(f"campaign metric {metric!r} is built in")
    _COUNTERS[metric] = Counter(metric, label_msgid, fn)


def metrics() -> dict[str, str]:
    """Every metric a target may name → its label msgid (built-in first)."""
    return {**BUILT_IN, **{m: c.label for m, c in _COUNTERS.items()}}


@dataclass
class TargetProgress:
    """One target with its actual value; `rate` 0…1 (None without a target or a value);
    `text` as pages write it: 「80.00%（40/50）」."""

    id: int
    metric: str
    metric_label: str
    label: str
    target: int
    actual: int | None
    rate: float | None
    text: str
    reached: bool
    percent: int  # for a bar: 0…100
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _text(actual: int | None, target: int) -> tuple[float | None, str]:
    if actual is None:
        return None, gettext("未填报")
    if not target:
        return None, f"—（{actual}/0）"
    value = round(actual / target, 4)
    return value, f"{value * 100:.2f}%（{actual}/{target}）"


def progress(campaign: Campaign) -> list[TargetProgress]:
    """Every target of the campaign with its actual value (the events counted once)."""
    targets = list(CampaignTarget.objects.filter(campaign=campaign).order_by("sort", "id"))
    labels = metrics()
    cache: dict[str, int] = {}

    def value(t: CampaignTarget) -> int | None:
        if t.metric == ENTERED:
            return t.entered_value
        if t.metric not in cache:
            if t.metric in ("events", "hazards_fixed"):
                counts = event_counts(campaign)
                cache["events"], cache["hazards_fixed"] = counts["events"], counts["closed"]
            elif t.metric == "listings":
                cache[t.metric] = campaign.listings.count()
            elif t.metric == "listings_delisted":
                cache[t.metric] = campaign.listings.filter(status=ListingStatus.DELISTED).count()
            elif t.metric in _COUNTERS:
                cache[t.metric] = int(_COUNTERS[t.metric].fn(campaign))
            else:
                return None  # a counter no longer registered
        return cache[t.metric]

    out = []
    for t in targets:
        actual = value(t)
        rate, text = _text(actual, t.target)
        out.append(
            TargetProgress(
                id=t.pk,
                metric=t.metric,
                metric_label=gettext(labels.get(t.metric, t.metric)),
                label=t.label,
                target=t.target,
                actual=actual,
                rate=rate,
                text=text,
                reached=actual is not None and actual >= t.target,
                percent=min(100, round((rate or 0) * 100)),
                note=t.entered_note if t.metric == ENTERED else "",
            )
        )
    return out
