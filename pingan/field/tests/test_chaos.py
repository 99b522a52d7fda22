"""Chaos through the API: 1,000 reports with a photo each from 50 simulated phones.

Each phone works through its queue (report, then its photo) and retries every item until
it is acknowledged. 20% of requests are dropped before the server sees them and 20% of
responses are lost after the server committed. Half the phones use the phone app's
endpoints (/field/reports, /field/events/{id}/photos), half the general ones
(/events, /events/{id}/attachments). In the end: exactly 1,000 events, no duplicates,
every photo attached once.
"""

from __future__ import annotations

import io
import random
import uuid

import pytest
from django.test import Client
from PIL import Image

from pingan.accounts.services import token_issue
from pingan.events.models import Attachment, Event
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert

# About 90 s alone on either database; several times that on a loaded machine.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.timeout(900)]

PHONES = 50
REPORTS_PER_PHONE = 20


def _tiny_jpeg(seed: int) -> bytes:
    img = Image.new("RGB", (24, 16), (seed % 256, (seed * 7) % 256, (seed * 13) % 256))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


class Phone:
    def __init__(self, n: int, user, token: str, point, field_api: bool) -> None:
        self.n = n
        self.user = user
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}
        self.point = point
        self.field_api = field_api
        self.queue: list[dict] = []
        for i in range(REPORTS_PER_PHONE):
            report_uuid = str(uuid.uuid4())
            self.queue.append({"kind": "report", "uuid": report_uuid, "i": i})
            self.queue.append(
                {"kind": "photo", "uuid": str(uuid.uuid4()), "report": report_uuid, "i": i}
            )
        self.ids: dict[str, int] = {}

    def send(self, item: dict):
        lat, lng = self.point
        if item["kind"] == "report":
            body = {
                "client_uuid": item["uuid"],
                "category": self.category,
                "description": f"手机{self.n}第{item['i']}条：楼道堆放杂物",
                "lat": lat,
                "lng": lng,
            }
            path = "/api/v1/field/reports" if self.field_api else "/api/v1/events"
            return self.client.post(
                path, body, content_type="application/json", headers=self.headers
            )
        event_id = self.ids[item["report"]]
        photo = io.BytesIO(_tiny_jpeg(self.n * 100 + item["i"]))
        photo.name = "p.jpg"
        if self.field_api:
            path = f"/api/v1/field/events/{event_id}/photos"
        else:
            path = f"/api/v1/events/{event_id}/attachments"
        return self.client.post(
            path,
            {"file": photo, "client_uuid": item["uuid"], "kind": "report"},
            headers=self.headers,
        )

    def acknowledge(self, item: dict, response) -> None:
        assert response.status_code in (200, 201), response.content
        if item["kind"] == "report":
            self.ids[item["uuid"]] = response.json()["id"]
        self.queue.pop(0)


def test_thousand_reports_through_a_bad_network(cast):
    rnd = random.Random(2026)
    points = [cast.point_a1, cast.point_a2, cast.point_b1]
    grids = [cast.grid_a1, cast.grid_a2, cast.grid_b1]
    phones = []
    for n in range(PHONES):
        u = user_upsert(username=f"phone{n}", name=f"网格员{n}", password=cast.password)
        membership_grant(user=u, role=Role.GRID_WORKER, region=grids[n % 3])
        phone = Phone(n, u, token_issue(user=u), points[n % 3], field_api=n % 2 == 0)
        phone.category = cast.neighbour.pk
        phones.append(phone)

    dropped = lost = 0
    busy = list(phones)
    while busy:
        phone = rnd.choice(busy)
        item = phone.queue[0]
        roll = rnd.random()
        if roll < 0.2:
            dropped += 1  # never reached the server
            continue
        response = phone.send(item)
        if roll < 0.4:
            lost += 1  # the server committed; the phone never heard
            continue
        phone.acknowledge(item, response)
        if not phone.queue:
            busy.remove(phone)

    total = PHONES * REPORTS_PER_PHONE
    assert dropped > 0.15 * total and lost > 0.15 * total
    assert Event.objects.count() == total
    assert Event.objects.values("client_uuid").distinct().count() == total
    assert Attachment.objects.count() == total
    per_event = {e.pk: e.attachments.count() for e in Event.objects.prefetch_related("attachments")}
    assert set(per_event.values()) == {1}
    for phone in phones:
        assert Event.objects.filter(reporter=phone.user).count() == REPORTS_PER_PHONE
