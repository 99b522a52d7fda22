"""Lists newest first read the recent months first (few partitions on PostgreSQL) and the
whole table only when those months hold too few rows: the pages and counts are the same
either way."""

from __future__ import annotations

import datetime as dt

from django.test import RequestFactory

from pingan.core import clock
from pingan.events.selectors import event_list, newest_first_rows, recent_part
from pingan.events.services import event_report
from pingan.web.views.lists import CappedPaginator, paginate


def _report(cast, when):
    event, _ = event_report(
        actor=cast.gridworker,
        category=cast.neighbour,
        description="楼道里堆放杂物，影响通行",
        lat=cast.point_a1[0],
        lng=cast.point_a1[1],
        reported_at=when,
    )
    return event


def test_pages_and_counts_equal_those_of_the_whole_table(cast):
    now = clock.now()
    # Three recent reports and four older than the recent months.
    for days in (1, 2, 20, 100, 200, 400, 800):
        _report(cast, now - dt.timedelta(days=days))
    qs = event_list(user=cast.county_dispatcher)
    whole = list(qs)
    recent = recent_part(qs)
    assert recent is not None and 0 < recent.count() < len(whole)
    for start, stop in [(0, 2), (0, 3), (1, 3), (0, 5), (2, 7), (5, 7), (6, 9)]:
        assert newest_first_rows(qs, start, stop) == whole[start:stop]
    # Another ordering is read as it is.
    assert recent_part(qs.order_by("reported_at")) is None
    for cap in (2, 3, 5, 100):
        paginator = CappedPaginator(qs, 2, cap)
        assert paginator.count == min(len(whole), cap)
        assert paginator.capped == (len(whole) > cap)
        for number in paginator.page_range:
            page = paginator.page(number)
            assert list(page.object_list) == whole[: paginator.count][(number - 1) * 2 :][:2]
    request = RequestFactory().get("/events/", {"page": "4"})
    assert [e.pk for e in paginate(request, qs, size=2).object_list] == [whole[6].pk]
