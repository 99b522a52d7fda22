"""docs/import.md's worked example, a whole city's migration on the files shipped in
docs/examples/city: regions → catalogue → events → figures, each step idempotent, and the
figures equal to what the source file says the moment the import returns."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient
from pingan.events.choices import Status
from pingan.events.models import Event
from pingan.geo.models import Region
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"
CITY = EXAMPLES / "city"
FORMAT = "%m/%d/%Y %I:%M:%S %p"
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _migrate() -> str:
    _run(
        "import_regions",
        "--csv",
        str(CITY / "regions.csv"),
        "--geojson",
        str(CITY / "grids.geojson"),
    )
    _run(
        "import_catalogue",
        str(EXAMPLES / "catalogue-311.csv"),
        "--mapping",
        str(EXAMPLES / "catalogue-311-mapping.yaml"),
    )
    return _run(
        "import_events",
        str(CITY / "requests.csv"),
        "--mapping",
        str(CITY / "requests-mapping.yaml"),
    )


def _source() -> list[dict[str, str]]:
    with (CITY / "requests.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _when(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, FORMAT).replace(tzinfo=TZ)


@pytest.fixture
def leader(db):
    user = user_upsert(username="city-leader", name="示例区领导", password="Pingan@2026-test")
    return user


def test_the_whole_city_comes_in_and_its_figures_match_the_source(leader):
    out = _migrate()
    assert out.strip().splitlines()[-1].startswith("total=62 imported=62 unchanged=0 errors=0")
    membership_grant(user=leader, role=Role.LEADER, region=Region.objects.get(code="990101"))
    api = ApiClient(Client(), token_issue(user=leader))
    rows = _source()

    # Every state of the source is here, open ones in the live workflow.
    states = {
        "Open": Status.REPORTED,
        "Assigned": Status.DISPATCHED,
        "In Progress": Status.IN_PROGRESS,
        "Closed": Status.CLOSED,
        "Cancelled": Status.REJECTED,
        "Duplicate": Status.MERGED,
    }
    for theirs, ours in states.items():
        expected = sum(1 for r in rows if r["Status"] == theirs)
        assert Event.objects.filter(status=ours).count() == expected, theirs
    assert Event.objects.get(extra__import__external_id="10061").master == Event.objects.get(
        extra__import__external_id="10003"
    )

    # The figures, at once: totals as listed, closures and the on-time rate as the source
    # counts them (closed by the due date, of those closed with one).
    stats = api.get("/stats/summary").json()
    assert stats["total"] == api.get("/events").json()["count"] == len(rows)
    closed = [r for r in rows if r["Status"] == "Closed"]
    timed = [r for r in closed if r["Due Date"]]
    on_time = [r for r in timed if _when(r["Closed Date"]) <= _when(r["Due Date"])]
    assert (stats["closed"], stats["closed_timed"], stats["closed_on_time"]) == (
        len(closed),
        len(timed),
        len(on_time),
    )
    assert stats["on_time_rate"] == round(len(on_time) / len(timed), 4)

    # Placeholder coordinates are dropped; real ones place the request in its grid.
    placeholders = [r["Unique Key"] for r in rows if r["Latitude"] == "29.7"]
    assert placeholders
    for key in placeholders:
        assert Event.objects.get(extra__import__external_id=key).lat is None
    located = next(r for r in rows if r["Latitude"] not in ("", "29.7"))
    event = Event.objects.get(extra__import__external_id=located["Unique Key"])
    assert event.region.level == "grid"

    # Every step again: nothing changes.
    again = _migrate()
    assert "imported=0 unchanged=62 errors=0" in again.strip().splitlines()[-1]
    assert api.get("/stats/summary").json()["total"] == len(rows)
