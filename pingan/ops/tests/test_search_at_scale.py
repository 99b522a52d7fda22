"""What keeps lists and search fast at millions of events: word search through the
bigram index on PostgreSQL (same results as a plain scan), event codes looked up
exactly, and list counts capped."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from pingan.events.models import Event
from pingan.events.search import bigram_query, is_one_bigram, text_q
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
                actor=cast.gridworker,
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
    # Exactly that code (and, where the table is partitioned, its month).
    assert text_q(code).children[0] == ("code", code)
    assert text_q(code).children[1:] in ([], [("reported_at", three[1].reported_at)])
    assert found(cast, code) == ["夜间施工噪音扰民"]


def test_the_bigram_index_is_used_on_postgresql_only(cast, three):
    sql = str(Event.objects.filter(text_q("噪音")).query)
    assert ("search_bigrams" in sql) == (connection.vendor == "postgresql")
    assert bigram_query("化粪池") == "'化粪' & '粪池'"
    assert bigram_query("a'b") == ""  # nothing safe to index: the plain scan decides
    # Two characters are one bigram: the index is the whole test on PostgreSQL.
    assert is_one_bigram("噪音") and is_one_bigram("ro")
    assert not is_one_bigram("化粪池") and not is_one_bigram("a'") and not is_one_bigram("ßa")
    two = str(Event.objects.filter(text_q("噪音")).query)
    assert ("LIKE" in two) == (connection.vendor != "postgresql")
    assert "LIKE" in str(Event.objects.filter(text_q("化粪池")).query)


def test_list_counts_stop_at_the_cap(cast, three, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 2)
    paginator = lists.CappedPaginator(Event.objects.order_by("pk"), 1)
    assert paginator.count == 2 and paginator.count_display == "2+"
    assert paginator.num_pages == 2
    monkeypatch.setattr(lists, "COUNT_CAP", 3)
    paginator = lists.CappedPaginator(Event.objects.order_by("pk"), 1)
    assert paginator.count == 3 and paginator.count_display == "3"


WORDS = ["噪音", "化粪池", "漏水", "ROAD", "ro", "占道经营", "音噪", "池满"]


@pytest.fixture
def many(cast):
    """Events where the words sit in the title, the description, both, neither, in the
    address only (encrypted: never found), or split across title and description."""
    lat, lng = cast.point_a1
    rows = [
        ("噪音扰民", "夜间广场舞"),
        ("", "楼上装修噪音很大"),
        ("化粪池满溢", "化粪池堵塞，臭味明显"),
        ("水管漏水", "请尽快维修"),
        ("", "Road-12 路灯不亮"),
        ("road works", "施工占道"),
        ("占道经营", "早市摊贩占道经营"),
        ("夜间噪", "音乐声大"),  # 噪|音 split across title and description: no match
        ("无关", "音噪"),
        ("", "小区噪音、漏水、占道经营都有"),
    ]
    made = [
        event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            title=title,
            description=description,
            lat=lat,
            lng=lng,
        )[0]
        for title, description in rows
    ]
    made.append(
        event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            description="门口有人",
            address="噪音漏水化粪池占道经营路",
            lat=lat,
            lng=lng,
        )[0]
    )
    return made


def scanned(cast, word: str) -> list[int]:
    """What a plain scan finds: the filter of the code before the index existed."""
    words = Q(title__icontains=word) | Q(description__icontains=word)
    qs = event_list(user=cast.county_dispatcher).filter(words)
    return list(qs.values_list("pk", flat=True))


@pytest.mark.parametrize("word", WORDS)
def test_word_search_returns_the_events_a_plain_scan_returns(cast, many, word):
    searched = event_list(user=cast.county_dispatcher, filters=EventFilters(q=word))
    assert list(searched.values_list("pk", flat=True)) == scanned(cast, word)
    assert scanned(cast, word)  # every word is there at least once


def test_common_word_search_finds_title_and_description_hits(cast, many):
    got = {e.pk for e in event_list(user=cast.county_dispatcher, filters=EventFilters(q="噪音"))}
    assert got == {many[0].pk, many[1].pk, many[9].pk}  # not the split one, not the address


def test_search_follows_edited_text(cast, many):
    event = many[3]
    event.description = "井盖缺失"
    event.title = "井盖"
    event.save(update_fields=["description", "title"])
    assert event.pk not in scanned(cast, "漏水")
    assert [
        e.pk for e in event_list(user=cast.county_dispatcher, filters=EventFilters(q="井盖"))
    ] == [event.pk]
    assert event.pk not in [
        e.pk for e in event_list(user=cast.county_dispatcher, filters=EventFilters(q="漏水"))
    ]


def test_word_search_keeps_the_scope(cast, many):
    b = event_report(
        actor=cast.gridworker_b,
        category=cast.neighbour.pk,
        description="通元村噪音",
        lat=cast.point_b1[0],
        lng=cast.point_b1[1],
    )[0]
    town_a = {e.pk for e in event_list(user=cast.dispatcher, filters=EventFilters(q="噪音"))}
    town_b = {e.pk for e in event_list(user=cast.dispatcher_b, filters=EventFilters(q="噪音"))}
    county = {e.pk for e in event_list(user=cast.county_dispatcher, filters=EventFilters(q="噪音"))}
    assert b.pk not in town_a and town_b == {b.pk} and county == town_a | {b.pk}
    assert not list(event_list(user=cast.handler_market, filters=EventFilters(q="噪音")))


def test_word_search_counts_stop_at_the_lower_cap(client, cast, many, monkeypatch):
    monkeypatch.setattr(lists, "SEARCH_COUNT_CAP", 2)
    monkeypatch.setattr(lists, "PAGE_SIZE", 1)
    client.force_login(cast.county_dispatcher)
    html = client.get(reverse("event_list"), {"q": "噪音"}).content.decode()
    assert "第 1 / 2 页，共 2+ 件" in html  # three match; the count stops at two
    assert "只列出前 2 件，请用筛选条件缩小范围" in html
    deep = client.get(reverse("event_list"), {"q": "噪音", "page": "9"}).content.decode()
    assert "第 2 / 2 页，共 2+ 件" in deep  # no page past the cap: the last one, said so
    html = client.get(reverse("event_list"), {"q": "化粪池"}).content.decode()
    assert "共 1 件" in html and "只列出前" not in html
    # The whole list keeps the higher cap, and a code is one event.
    html = client.get(reverse("event_list")).content.decode()
    assert f"共 {len(many)} 件" in html
    html = client.get(reverse("event_list"), {"q": many[0].code}).content.decode()
    assert "共 1 件" in html and many[0].code in html


def test_search_column_and_list_indexes_exist_on_postgresql(db):
    """On PostgreSQL the bigrams are a stored generated column with a GIN index, and the
    expression index they replace is gone; SQLite has no such column."""
    with connection.cursor() as c:
        if connection.vendor != "postgresql":
            columns = [
                col.name
                for col in connection.introspection.get_table_description(c, "events_event")
            ]
            assert "search_bigrams" not in columns
            return
        c.execute(
            "SELECT attgenerated FROM pg_attribute WHERE attrelid = 'events_event'::regclass "
            "AND attname = 'search_bigrams' AND NOT attisdropped"
        )
        assert c.fetchall() == [("s",)]
        c.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events_event'")
        indexes = dict(c.fetchall())
    assert "USING gin (search_bigrams)" in indexes["events_search_bigrams"]
    # A region's open events by deadline (the overdue and warning lists and counts).
    assert "(region_path varchar_pattern_ops, due_at)" in indexes["events_open_region_due"]
    assert "WHERE ((status)::text = ANY" in indexes["events_open_region_due"]
    assert "events_event_bigrams" not in indexes
