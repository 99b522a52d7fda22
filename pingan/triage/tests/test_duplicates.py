"""Duplicate candidates: precision and recall on a labelled set built from real citizen
messages, the phone rule, the grid/time bounds, and merging from the event page."""

from __future__ import annotations

import datetime as dt
import random
import re

from django.urls import reverse

from pingan.conftest import shared_or_skip
from pingan.core import clock
from pingan.core.models import AuditEntry
from pingan.events.choices import Status
from pingan.events.models import Event
from pingan.events.services import event_report
from pingan.notifications.models import Notification
from pingan.triage import labelled, services
from pingan.triage.choices import DuplicateState
from pingan.triage.models import DuplicateCandidate

ENDINGS = ["再次反映，", "我们之前也反映过，", "多名居民反映：", ""]


def rephrase(rng: random.Random, text: str) -> str:
    """Another resident's report of the same matter: some clauses dropped, a different
    opening and ending (a labelled positive)."""
    clauses = [c for c in re.split(r"[，。！？；,!?;\n]", text) if c.strip()]
    keep = [c for c in clauses if rng.random() < 0.7] or clauses[:1]
    return rng.choice(ENDINGS) + "，".join(keep) + rng.choice(["，请尽快处理。", "。", "，谢谢！"])


def test_precision_and_recall_on_a_labelled_set_from_real_messages(cast):
    rng = random.Random(5)
    messages = shared_or_skip(labelled.MESSAGES)
    rows = [t for t, _ in labelled.topic_rows(messages) if 60 <= len(t) <= 600]
    originals = rng.sample(rows, 120)
    duplicated = set(rng.sample(range(120), 40))
    now = clock.now()
    grids = ["point_a1", "point_a2", "point_b1"]
    ids: list[int] = []
    truth: set[frozenset[int]] = set()
    for i, text in enumerate(originals):
        lat, lng = getattr(cast, grids[i % 3])
        e, _ = event_report(
            actor=cast.county_dispatcher,
            category=cast.neighbour.pk,
            description=text,
            lat=lat,
            lng=lng,
            reported_at=now - dt.timedelta(days=5, minutes=i),
        )
        ids.append(e.pk)
    for i in sorted(duplicated):
        # Reported in the same grid or the neighbouring one of the same village.
        point = grids[i % 3] if i % 3 == 2 else rng.choice(grids[:2])
        lat, lng = getattr(cast, point)
        d, _ = event_report(
            actor=cast.county_dispatcher,
            category=cast.neighbour.pk,
            description=rephrase(rng, originals[i]),
            lat=lat,
            lng=lng,
            reported_at=now - dt.timedelta(days=rng.randint(0, 4)),
        )
        truth.add(frozenset({d.pk, ids[i]}))
        ids.append(d.pk)
    found: set[frozenset[int]] = set()
    for pk in ids:
        for c in services.duplicates_check(event_id=pk):
            found.add(frozenset({c.event_id, c.other_id}))
    tp = len(found & truth)
    precision = tp / len(found)
    recall = tp / len(truth)
    assert precision >= 0.9, (precision, recall)
    assert recall >= 0.85, (precision, recall)


def _report(cast, text, point="point_a1", phone="", at=None, user=None):
    lat, lng = getattr(cast, point)
    e, _ = event_report(
        actor=user or cast.gridworker,
        category=cast.neighbour.pk,
        description=text,
        lat=lat,
        lng=lng,
        reporter_phone=phone,
        reported_at=at,
    )
    return e


def test_other_town_and_old_events_are_not_candidates(cast):
    text = "城东新村3幢楼道堆放大量杂物，邻居之间因此争吵，请社区尽快协调处理"
    old = _report(cast, text, at=clock.now() - dt.timedelta(days=30))
    far = _report(cast, text, point="point_b1", user=cast.gridworker_b)
    near = _report(cast, text, point="point_a2", user=cast.gridleader)  # the village's grids
    new = _report(cast, text)
    others = {c.other_id for c in services.duplicates_check(event_id=new.pk)}
    assert others == {near.pk}
    assert old.pk not in others and far.pk not in others


def test_same_phone_is_a_candidate_even_with_other_words(cast):
    a = _report(cast, "小区门口道路破损严重，雨天积水", phone="13812345678")
    assert services.duplicates_check(event_id=a.pk) == []  # at intake: keys its phone
    b = _report(
        cast,
        "楼下烧烤店油烟很大，晚上吵闹",
        point="point_b1",
        phone="138-1234-5678",
        user=cast.gridworker_b,
    )
    (cand,) = services.duplicates_check(event_id=b.pk)
    assert cand.other_id == a.pk
    assert "phone" in cand.reasons


def test_a_second_check_keeps_a_dispatchers_decision_and_stores_each_pair_once(cast):
    text = "城东新村3幢楼道堆放大量杂物，邻居之间因此争吵，请社区尽快协调处理"
    first = _report(cast, text)
    new = _report(cast, text, point="point_a2", user=cast.gridleader)
    (cand,) = services.duplicates_check(event_id=new.pk)
    services.duplicate_dismiss(actor=cast.dispatcher, candidate_id=cand.pk)
    again = services.duplicates_check(event_id=new.pk)
    assert [c.other_id for c in again] == [first.pk]
    stored = DuplicateCandidate.objects.get(event=new, other=first)
    assert stored.state == DuplicateState.DISMISSED and stored.decided_by == cast.dispatcher
    assert DuplicateCandidate.objects.filter(event=new).count() == 1


def test_merge_from_the_event_page_keeps_both_timelines_and_tells_both_reporters(
    client, cast, django_capture_on_commit_callbacks
):
    text = "城东新村3幢楼道堆放大量杂物，邻居之间因此争吵，请社区尽快协调处理"
    with django_capture_on_commit_callbacks(execute=True):
        master = _report(cast, text, user=cast.gridleader)
    with django_capture_on_commit_callbacks(execute=True):
        dup = _report(cast, text + "，谢谢")
    cand = DuplicateCandidate.objects.get(event=dup, other=master)
    assert cand.score > 0.9
    client.force_login(cast.dispatcher)
    page = client.get(reverse("event_detail", args=[dup.pk])).content.decode()
    assert "疑似重复" in page and master.code in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("triage_merge", args=[dup.pk]), {"master": master.pk})
    assert r.status_code == 302
    dup.refresh_from_db()
    assert dup.status == Status.MERGED and dup.master_id == master.pk
    assert list(dup.timeline.values_list("action", flat=True)) == ["report", "merge"]
    assert "merged_in" in master.timeline.values_list("action", flat=True)
    assert Notification.objects.filter(recipient=cast.gridworker, event=dup).exists()
    assert Notification.objects.filter(recipient=cast.gridleader, event=master).exists()
    assert AuditEntry.objects.filter(action="triage.duplicate_merge").exists()
    cand.refresh_from_db()
    assert cand.state == "merged"


def test_grid_worker_cannot_merge_and_out_of_scope_is_404(client, cast):
    text = "城东新村3幢楼道堆放大量杂物，邻居之间因此争吵"
    master = _report(cast, text)
    dup = _report(cast, text)
    client.force_login(cast.gridworker)
    client.post(reverse("triage_merge", args=[dup.pk]), {"master": master.pk})
    assert Event.objects.get(pk=dup.pk).status == Status.REPORTED
    client.force_login(cast.dispatcher_b)
    r = client.post(reverse("triage_merge", args=[dup.pk]), {"master": master.pk})
    assert r.status_code == 404


def test_event_placed_on_a_village_is_compared_with_the_villages_grids(cast):
    text = "城东新村3幢楼道堆放大量杂物，邻居之间因此争吵，请社区尽快协调处理"
    in_grid = _report(cast, text)
    on_village, _ = event_report(
        actor=cast.dispatcher, category=cast.neighbour.pk, description=text, region=cast.village_a
    )
    others = {c.other_id for c in services.duplicates_check(event_id=on_village.pk)}
    assert others == {in_grid.pk}


def test_merged_events_do_not_use_up_the_candidate_cap(cast, settings):
    """A burst of merged reports newer than the real duplicate must not push it out of the
    rows compared (the cap bounds the rows fetched)."""
    settings.PINGAN_DUPLICATE_CAP = 3
    text = "城东新村5幢地下室长期积水发臭，蚊虫很多，居民多次反映无人处理"
    real = _report(cast, text, at=clock.now() - dt.timedelta(days=2))
    for i in range(4):
        merged = _report(cast, f"另一件事{i}：路灯不亮", at=clock.now() - dt.timedelta(hours=5 - i))
        Event.objects.filter(pk=merged.pk).update(status=Status.MERGED)
    new = _report(cast, text)
    others = {c.other_id for c in services.duplicates_check(event_id=new.pk)}
    assert others == {real.pk}


def test_neighbours_follow_a_redrawn_grid_polygon_without_a_restart(cast, monkeypatch):
    from pingan.conftest import square
    from pingan.geo.services import region_upsert
    from pingan.triage import duplicates

    monkeypatch.setattr(duplicates, "_CHECK_EVERY_S", 0.0)
    b1 = cast.grid_b1
    assert cast.grid_a1.path not in duplicates._neighbours.of(b1)
    # Redrawn next to grid A1 (another process could have done it: only the stamp tells).
    region_upsert(
        code=b1.code,
        name=b1.name,
        level=b1.level,
        parent=b1.parent,
        geometry=square(120.93, 30.52),
    )
    b1.refresh_from_db()
    assert cast.grid_a1.path in duplicates._neighbours.of(b1)
    assert b1.path in duplicates._neighbours.of(cast.grid_a1)
