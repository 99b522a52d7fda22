"""The deadline sweeper: marks once, escalates by policy, reminds of re-checks, and
several sweepers at once never mark an event twice."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from pingan.conftest import on_postgres
from pingan.events.choices import DeadlineState, Status
from pingan.events.models import Category, Event, EventTransition
from pingan.notifications.models import Notification
from pingan.sla.models import SweepRun
from pingan.sla.services import sweep
from pingan.sla.tasks import sweep_deadlines
from pingan.sla.tests.helpers import act, at, dispatched, report

# 邻里纠纷 dispatched Mon 2026-03-02 09:00: acknowledge by 14:30 (4 working hours),
# yellow at 80 % of that (13:42), handle by Mon 03-09 17:30 (5 working days).
MON = at(2026, 3, 2, 9)


def marks(event) -> list[str]:
    return list(
        EventTransition.objects.filter(event=event, action__in=["warning", "overdue"])
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_unacknowledged_event_goes_yellow_then_red_on_the_acknowledge_deadline(cast):
    e = dispatched(cast, MON)
    assert e.ack_due_at == at(2026, 3, 2, 14, 30)
    # 4 h allowed; 80 % = 3 h 12 min: 09:00-12:00 then 12 min after lunch.
    assert e.warn_at == at(2026, 3, 2, 13, 42)
    run = sweep(at(2026, 3, 2, 13, 42))
    assert (run.warned, run.overdue) == (1, 0)
    run = sweep(at(2026, 3, 2, 14, 31))
    assert (run.warned, run.overdue) == (0, 1)
    e.refresh_from_db()
    assert e.deadline_state == DeadlineState.OVERDUE
    assert marks(e) == ["warning", "overdue"]
    t = e.timeline.get(action="overdue")
    assert t.actor is None and t.actor_role == "system" and t.at == at(2026, 3, 2, 14, 31)


def test_a_second_sweep_marks_nothing_new(cast):
    events = [dispatched(cast, MON) for _ in range(3)]
    acknowledged = act(cast.handler, dispatched(cast, MON), "acknowledge", MON)
    first = sweep(at(2026, 3, 10, 9))
    assert (first.warned, first.overdue) == (0, 4)
    second = sweep(at(2026, 3, 10, 9, 5))
    assert (second.warned, second.overdue, second.escalated) == (0, 0, 0)
    for e in [*events, acknowledged]:
        assert marks(e) == ["overdue"]
    assert SweepRun.objects.count() == 2
    assert second.finished_at is not None


def test_events_without_a_running_clock_are_never_marked(cast):
    accepted = report(cast, MON)
    act(cast.dispatcher, accepted, "accept", MON)
    resolved = act(cast.handler, dispatched(cast, MON), "acknowledge", MON)
    act(cast.handler, resolved, "resolve", MON, result="已调解")
    run = sweep(at(2026, 6, 1, 9))
    assert (run.warned, run.overdue) == (0, 0)
    assert marks(accepted) == marks(resolved) == []
    assert Event.objects.get(pk=resolved.pk).deadline_state == ""


def test_overdue_event_of_an_escalating_category_moves_to_the_county_queue(cast):
    Category.objects.filter(pk=cast.neighbour.pk).update(escalate_on_overdue=True)
    e = dispatched(cast, MON)
    plain = dispatched(cast, MON, category=cast.fire, lead=cast.housing)
    run = sweep(at(2026, 3, 10, 9))
    assert (run.overdue, run.escalated) == (2, 1)
    e.refresh_from_db()
    assert e.queue_region_id == cast.county.pk
    assert Event.objects.get(pk=plain.pk).queue_region_id == cast.town_a.pk
    assert list(e.timeline.values_list("action", flat=True))[-2:] == ["overdue", "auto_escalate"]
    # Escalated once per deadline, not on every sweep.
    assert sweep(at(2026, 3, 11, 9)).escalated == 0


def test_due_tracking_recheck_reminds_the_grid_worker_once(
    cast, django_capture_on_commit_callbacks
):
    e = act(cast.handler, dispatched(cast, MON), "acknowledge", MON)
    act(cast.handler, e, "resolve", MON, result="已调解")
    act(cast.gridworker, e, "verify", MON, passed=True)
    act(cast.dispatcher, e, "track", MON, intervals=[7, 30])
    check7, check30 = e.tracking_checks.order_by("due_on")
    assert sweep(at(2026, 3, 8, 23, 59)).reminded == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(at(2026, 3, 9, 8)).reminded == 1
    n = Notification.objects.get(cause=f"track{check7.pk}")
    assert n.recipient == cast.gridworker and n.event_id == e.pk
    assert n.title.startswith("跟踪复查到期")
    assert sweep(at(2026, 3, 10, 8)).reminded == 0
    # A re-check done before its day is never reminded.
    act(cast.gridworker, e, "recheck", at(2026, 3, 20, 9), check=check30.pk, recurred=False)
    assert sweep(at(2026, 4, 2, 8)).reminded == 0
    assert Notification.objects.filter(kind="track_due").count() == 1


def test_task_runs_the_sweeper(cast):
    dispatched(cast, MON)
    result = sweep_deadlines.enqueue()
    assert result.return_value["overdue"] == 1
    assert Event.objects.get().deadline_state == DeadlineState.OVERDUE


def test_command_runs_once(cast, capsys):
    dispatched(cast, MON)
    call_command("sweep_deadlines")
    out = capsys.readouterr().out
    # The words of the deadline lights everywhere else (临期/超期), not 黄灯/红灯.
    assert "超期 1" in out and "临期 0" in out and "红灯" not in out
    assert SweepRun.objects.count() == 1


def test_command_loop_stops_cleanly_on_sigterm(db, capsys, monkeypatch):
    from pingan.sla.management.commands import sweep_deadlines as command

    rounds = threading.Semaphore(0)

    def counted_sweep():
        run = sweep()
        rounds.release()
        return run

    def terminate_after_two_rounds():
        # The handler is installed before the first round starts.
        for _ in range(2):
            if not rounds.acquire(timeout=30):
                return
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(command, "sweep", counted_sweep)
    previous = signal.getsignal(signal.SIGTERM)
    killer = threading.Thread(target=terminate_after_two_rounds, daemon=True)
    killer.start()
    call_command("sweep_deadlines", every=0.05)
    killer.join(5)
    out = capsys.readouterr().out
    assert out.rstrip().endswith("已停止")
    assert SweepRun.objects.count() >= 2
    assert signal.getsignal(signal.SIGTERM) is previous


@pytest.mark.postgres_only
@pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL: row locks across connections")
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_mark_each_event_exactly_once(cast):
    events = [dispatched(cast, MON, assisting=[cast.market]) for _ in range(12)]
    barrier = threading.Barrier(2)
    runs: list[SweepRun] = []
    errors: list[Exception] = []

    def sweeper() -> None:
        try:
            barrier.wait()
            runs.append(sweep(at(2026, 3, 10, 9)))
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r.overdue for r in runs) == len(events)
    for e in events:
        assert marks(e) == ["overdue"]
        assert Event.objects.get(pk=e.pk).status == Status.DISPATCHED
    # One red notice per event and recipient: the lead's and the assisting department's
    # handlers, and town A's dispatcher.
    per = Counter(
        Notification.objects.filter(kind="overdue").values_list("event_id", "recipient_id")
    )
    assert set(per.values()) == {1}
    expected = {cast.handler.pk, cast.handler_market.pk, cast.dispatcher.pk}
    for e in events:
        assert {r for (ev, r) in per if ev == e.pk} == expected
