"""Triage over the API: an event's risk alerts, and the 属实 / 误报 verdict on one, as on
the event page (`pingan.triage.views.alert_verdict`): the same service, so the same
permission (a leader or dispatcher who can see the alert's event), the same audit row,
the same errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.triage import selectors, services
from pingan.triage.models import Alert

router = Router(tags=["triage"])


class VerdictIn(Schema):
    verdict: str = Field(..., description="研判结论：confirmed（属实）或 false_alarm（误报）")


class AlertOut(Schema):
    id: int
    event: int
    signal: str
    signal_label: str
    matched: str
    verdict: str
    verdict_label: str
    verdict_at: dt.datetime | None


def _alert_out(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "event": alert.event_id,
        "signal": alert.signal,
        "signal_label": str(alert.get_signal_display()),
        "matched": alert.matched,
        "verdict": alert.verdict,
        "verdict_label": str(alert.get_verdict_display()) if alert.verdict else "",
        "verdict_at": alert.verdict_at,
    }


@router.get(
    "/events/{event_id}/alerts",
    response=list[AlertOut],
    summary="事件的风险预警（与事件页所见相同）",
)
def event_alerts(request: HttpRequest, event_id: int) -> Any:
    alerts = selectors.event_alerts(user=actor_of(request), event_id=event_id)
    return [_alert_out(a) for a in alerts]


@router.post(
    "/alerts/{alert_id}/verdict",
    response=AlertOut,
    summary="研判风险预警（属实 / 误报，再次研判覆盖上一次）",
)
def alert_verdict(request: HttpRequest, alert_id: int, payload: VerdictIn) -> Any:
    alert = services.alert_verdict(
        actor=actor_of(request), alert_id=alert_id, verdict=payload.verdict
    )
    return _alert_out(alert)
