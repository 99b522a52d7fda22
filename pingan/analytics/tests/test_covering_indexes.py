"""The rollup reads that answer the map and the dashboard at 10 M events rely on covering
indexes (PostgreSQL only: analytics.0007 and 0008, made again with `unresolved` in 0009;
docs/performance.md)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

COVERING = {
    "analytics_histogram_cover": ("centidays", "n"),
    "analytics_daily_histogram_cover": ("centidays", "n"),
    "analytics_month_status_cover": ("n", "handle_days", "repeats", "unresolved"),
    "analytics_daily_rollup_cover": (
        "status",
        "n",
        "followed_up",
        "handle_days",
        "repeats",
        "unresolved",
    ),
}


def test_the_rollup_reads_have_their_covering_indexes():
    if connection.vendor != "postgresql":
        pytest.skip("covering indexes exist on PostgreSQL only (SQLite has no INCLUDE)")
    with connection.cursor() as c:
        c.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(COVERING)],
        )
        found = dict(c.fetchall())
    assert set(found) == set(COVERING)
    for name, measures in COVERING.items():
        included = found[name].split("INCLUDE", 1)[1]
        for column in measures:
            assert column in included, (name, column)
