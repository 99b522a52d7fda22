"""What keeps lists and search fast at millions of events: word search through the
bigram index on PostgreSQL (same results as a plain scan), event codes looked up
exactly, and list counts capped."""

from __future__ import annotations

import pytest
from django.db import connection

from pingan.events.models import Event
from pingan.events.search import bigram_query, text_q
from pingan.events.selectors import EventFilters, event_list
from pingan.events.services import event_report
from pingan.web.views import lists


@pytest.fixture
def three(cast):
    lat, lng = cast.point_a1
    made = []
    for text in ["城东小区化粪池堵塞外溢", "夜间施工噪音扰民", "路灯不亮 Road-12"]:
        made.append(
            event_report(
                user=cast.gridworker,
                category=cast.neighbour.pk,
                description=text,
                lat=lat,
                lng=lng,
            )[0]
        )
    return made


def found(cast, q: str) -> list[str]:
    return [
        e.description for e in event_list(user=cast.county_dispatcher, filters=EventFilters(q=q))
    ]


def test_word_search_finds_exactly_the_events_holding_the_words(cast, three):
    assert found(cast, "化粪池") == ["城东小区化粪池堵塞外溢"]
    assert found(cast, "噪音") == ["夜间施工噪音扰民"]
    assert found(cast, "粪池堵") == ["城东小区化粪池堵塞外溢"]
    assert found(cast, "池化") == []  # both characters present, not in this order
    assert found(cast, "灯") == ["路灯不亮 Road-12"]  # one character: a plain scan
    assert found(cast, "road-1") == ["路灯不亮 Road-12"]  # letters: case-insensitive
    assert found(cast, "不存在的词") == []


def test_an_event_code_is_looked_up_exactly(cast, three):
    code = three[1].code
    assert text_q(code).children == [("code", code)]
    assert found(cast, code) == ["夜间施工噪音扰民"]


def test_the_bigram_index_is_used_on_postgresql_only(cast, three):
    sql = str(Event.objects.filter(text_q("噪音")).query)
    assert ("pingan_bigrams" in sql) == (connection.vendor == "postgresql")
    assert bigram_query("化粪池") == "'化粪' & '粪池'"
    assert bigram_query("a'b") == ""  # nothing safe to index: the plain scan decides


def test_list_counts_stop_at_the_cap(cast, three, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 2)
    paginator = lists.CappedPaginator(Event.objects.order_by("pk"), 1)
    assert paginator.count == 2 and paginator.count_display == "2+"
    assert paginator.num_pages == 2
    monkeypatch.setattr(lists, "COUNT_CAP", 3)
    paginator = lists.CappedPaginator(Event.objects.order_by("pk"), 1)
    assert paginator.count == 3 and paginator.count_display == "3"
