"""Request costs of the risk pages and API (run by hand: pytest -s this file; the numbers
go to docs/risk.md, "Costs"). Not collected by the suite (no test_ prefix)."""

from __future__ import annotations

import statistics
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pingan.accounts.services import token_issue
from pingan.events.services import event_report
from pingan.risk.tests.factories import assessed, decided, fire, measured, new_matter

pytestmark = pytest.mark.django_db


def test_costs(cast):
    lat, lng = cast.point_a1
    for i in range(400):
        event_report(
            actor=cast.dispatcher,
            category=cast.neighbour.pk,
            description="群众反映问题",
            lat=lat + (i % 20) * 0.0002,
            lng=lng + (i // 20) * 0.0002,
            outside_own_grid=True,
        )
    ids = []
    for _ in range(60):
        m = assessed(cast, new_matter(cast))
        measured(cast, m)
        measured(cast, m)
        m = fire(decided(cast, m), cast.county_dispatcher, "start_tracking")
        ids.append(m.pk)
    web = Client()
    web.force_login(cast.county_dispatcher)
    token = token_issue(user=cast.county_dispatcher)
    h = {"Authorization": f"Bearer {token}"}
    calls = {
        "API list (20 of 60)": lambda: web.get("/api/v1/risk/matters", headers=h),
        "API detail (400 linked events)": lambda: web.get(
            f"/api/v1/risk/matters/{ids[0]}", headers=h
        ),
        "API transition track_note": lambda: web.post(
            f"/api/v1/risk/matters/{ids[1]}/transitions",
            {"action": "track_note", "note": "平稳"},
            content_type="application/json",
            headers=h,
        ),
        "API stats": lambda: web.get("/api/v1/risk/stats", headers=h),
        "page register /risk/": lambda: web.get("/risk/"),
        "page matter": lambda: web.get(f"/risk/matters/{ids[0]}/"),
    }
    for name, call in calls.items():
        call()
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as q:
                t = time.perf_counter()
                r = call()
                times.append((time.perf_counter() - t) * 1000)
            assert r.status_code in (200, 201), (name, r.status_code)
        print(f"| {name} | {len(q)} | {statistics.median(times):.0f} |")
