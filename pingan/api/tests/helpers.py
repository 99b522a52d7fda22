"""Helpers for driving the API as the cast's users (imported by the tests)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from django.test import Client

from pingan.events.services import event_report, event_transition


class ApiClient:
    """A test client that sends one user's bearer token on every call."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=self.headers
        )

    def act(self, event_id: int, action: str, **fields: Any) -> Any:
        return self.post(f"/events/{event_id}/transitions", {"action": action, **fields})


def report(cast: SimpleNamespace, *, point: str = "point_a1", **kw: Any) -> Any:
    """An event reported through the service by the grid worker of town A.

    Tests put events at any point of the cast, so a point outside the reporter's own grid
    is reported as such (`outside_own_grid`; the rule itself is tested in
    pingan/field/tests/test_report_place.py)."""
    lat, lng = getattr(cast, point)
    args: dict[str, Any] = {
        "actor": kw.pop("user", cast.gridworker),
        "category": cast.neighbour.pk,
        "description": "城东小区3幢楼道堆放杂物，邻居争吵",
        "lat": lat,
        "lng": lng,
        "outside_own_grid": True,
    }
    args.update(kw)
    return event_report(**args)[0]


def dispatched_to_police(cast: SimpleNamespace, **kw: Any) -> Any:
    """An event in town A, accepted and dispatched to the police (lead) only."""
    e = report(cast, **kw)
    event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    return event_transition(
        actor=cast.dispatcher,
        event_id=e.pk,
        action="dispatch",
        payload={"lead_department": cast.police.pk},
    )


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]
