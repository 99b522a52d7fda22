"""The classifier: evaluation against the baseline on a labelled set built from real
citizen messages, training from history, suggestions on new events, auto triage."""

from __future__ import annotations

import io
import re

import numpy as np
from django.core.management import call_command

from pingan.conftest import shared_or_skip
from pingan.events.choices import Status
from pingan.events.services import event_report, event_transition
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert
from pingan.triage import classifier, labelled
from pingan.triage.models import AutoTriagePolicy, Suggestion

NEIGHBOUR_TEXTS = [
    "楼上邻居装修噪音太大，协商多次没有结果，请社区调解",
    "两户邻居因为楼道堆放杂物吵架，需要调解",
    "邻居家狗半夜一直叫，双方争吵起来了",
    "隔壁漏水到我家卫生间，邻居不肯维修，请求调解",
    "宅基地边界和邻居有争执，差点动手",
    "邻居在公共走廊放鞋柜，多次沟通无果",
]
FIRE_TEXTS = [
    "小区地下车库电动车充电，飞线充电存在消防隐患",
    "沿街店铺消防通道被货物堵塞，灭火器过期",
    "厂房内易燃物品堆放杂乱，消防设施缺失",
    "出租房楼道电瓶车充电，电线私拉乱接有火灾隐患",
    "棋牌室安全出口上锁，灭火器失效",
    "仓库消防栓被遮挡，烟感不工作",
]


def test_evaluate_beats_the_plain_baseline_on_real_messages(tmp_path):
    data = tmp_path / "labelled.csv"
    rows = labelled.write_topic_csv(data, shared_or_skip(labelled.MESSAGES))
    assert rows > 1000
    out = io.StringIO()
    call_command(
        "classifier",
        "evaluate",
        "--from",
        str(data),
        "--text-col",
        "text",
        "--label-col",
        "label",
        "--folds",
        "5",
        stdout=out,
    )
    lines = out.getvalue().strip().splitlines()
    assert "traffic" in out.getvalue() and "precision" in out.getvalue()
    m = re.fullmatch(r"macro_f1=([\d.]+) accuracy=([\d.]+) baseline_macro_f1=([\d.]+)", lines[-1])
    assert m, lines[-1]
    macro, accuracy, baseline = map(float, m.groups())
    assert macro >= 0.75
    assert accuracy >= 0.75
    assert macro >= baseline + 0.3


def _history(cast):
    """Closed-loop history: fire-hazard events dispatched to housing, neighbour disputes
    dispatched to the police."""
    lat, lng = cast.point_a1
    for texts, category, extra, dept in (
        (NEIGHBOUR_TEXTS, cast.neighbour, None, cast.police),
        (FIRE_TEXTS, cast.fire, {"place_kind": "商铺"}, cast.housing),
    ):
        for text in texts * 2:
            event, _ = event_report(
                actor=cast.gridworker,
                category=category.pk,
                description=text,
                lat=lat,
                lng=lng,
                extra=extra,
            )
            event_transition(actor=cast.dispatcher, event_id=event.pk, action="accept")
            event_transition(
                actor=cast.dispatcher,
                event_id=event.pk,
                action="dispatch",
                payload={"lead_department": dept.pk},
            )


def test_train_from_history_then_predict_category_and_department(cast):
    _history(cast)
    out = io.StringIO()
    call_command("classifier", "train", stdout=out)
    assert "category: 24 samples" in out.getvalue()
    out = io.StringIO()
    call_command("classifier", "predict", "商铺门口消防通道堆满纸箱，灭火器过期", stdout=out)
    text = out.getvalue()
    assert "category=hazard.fire" in text
    assert "department=D-ZJ" in text


def test_new_event_gets_a_suggestion_and_no_auto_action_without_policy(
    cast, django_capture_on_commit_callbacks
):
    _history(cast)
    call_command("classifier", "train", stdout=io.StringIO())
    lat, lng = cast.point_a1
    with django_capture_on_commit_callbacks(execute=True):
        event, _ = event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            description="楼道里电瓶车充电，飞线充电，消防隐患严重",
            lat=lat,
            lng=lng,
        )
    s = Suggestion.objects.get(event=event)
    assert s.category == cast.fire  # the text says fire hazard, the reporter chose otherwise
    assert s.department == cast.housing
    assert 0 < s.category_confidence <= 1
    event.refresh_from_db()
    assert event.status == Status.REPORTED
    assert s.auto_action == ""


def test_auto_dispatch_only_for_allowed_category_above_the_bar(
    cast, settings, django_capture_on_commit_callbacks
):
    _history(cast)
    call_command("classifier", "train", stdout=io.StringIO())
    bot = user_upsert(username="auto-triage", name="智能分拨", password="Pingan@2026-test")
    membership_grant(user=bot, role=Role.DISPATCHER, region=cast.county)
    settings.PINGAN_TRIAGE_ACTOR = "auto-triage"
    settings.PINGAN_TRIAGE_MIN_CONFIDENCE = 0.0
    AutoTriagePolicy.objects.create(category=cast.fire, auto_dispatch=True, min_confidence=0.0)
    lat, lng = cast.point_a1

    def report(category, text, extra=None):
        with django_capture_on_commit_callbacks(execute=True):
            event, _ = event_report(
                actor=cast.gridworker,
                category=category.pk,
                description=text,
                lat=lat,
                lng=lng,
                extra=extra,
            )
        event.refresh_from_db()
        return event

    fire = report(cast.fire, "沿街商铺消防通道堵塞，灭火器过期", {"place_kind": "商铺"})
    assert fire.status == Status.DISPATCHED
    assert fire.lead_department == cast.housing
    neighbour = report(cast.neighbour, "邻居装修噪音扰民，多次协商没有结果")
    assert neighbour.status == Status.REPORTED  # no policy for this category

    AutoTriagePolicy.objects.filter(category=cast.fire).update(min_confidence=1.01)
    high_bar = report(cast.fire, "仓库消防栓被遮挡，烟感不工作", {"place_kind": "厂房"})
    assert high_bar.status == Status.REPORTED


def test_fast_probabilities_equal_scikit_learns():
    rows = labelled.topic_rows(shared_or_skip(labelled.MESSAGES))[:400]
    texts = [t for t, _ in rows]
    model = classifier.TextModel.fit(texts, [y for _, y in rows])
    assert model.coef is not None
    ours = model.proba(texts[:50])
    theirs = model.pipeline.named_steps["clf"].predict_proba(model.features(texts[:50]))
    assert np.allclose(ours, theirs, atol=1e-9)


def test_fast_features_equal_scikit_learns():
    rows = labelled.topic_rows(shared_or_skip(labelled.MESSAGES))[:300]
    texts = [t for t, _ in rows]
    model = classifier.TextModel.fit(texts, [y for _, y in rows])
    union = model.pipeline.named_steps["features"]
    ours = model.features(texts[:40]).toarray()
    theirs = union.transform(classifier.clip(texts[:40])).toarray()
    assert np.allclose(ours, theirs, atol=1e-12)
