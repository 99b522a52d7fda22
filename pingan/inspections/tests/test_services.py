"""The inspections' services: plans and tasks on the working calendar, submission,
deductions, 暗访 hidden until published, orders from findings, scope."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command

from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound
from pingan.inspections import plans, selectors, services
from pingan.inspections.models import Finding, Inspection, InspectionTask
from pingan.inspections.permissions import access_inspection, access_task
from pingan.inspections.tests.factories import checklist, inspector, plan, submit
from pingan.rectification.models import Deduction, RectificationOrder

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 2, 10, 10, 0, tzinfo=dt.UTC)


def test_tasks_are_made_once_per_period_and_target_due_on_the_last_working_day(cast):
    insp = inspector(cast)
    p = plan(cast, year=2026, inspectors=[insp], towns=[cast.town_a, cast.town_b])
    made = plans.tasks_generate(on=dt.date(2026, 2, 10), since=dt.date(2026, 1, 5))
    again = plans.tasks_generate(on=dt.date(2026, 2, 10), since=dt.date(2026, 1, 5))
    assert (made.tasks, again.tasks) == (4, 0)
    due = dict(
        InspectionTask.objects.filter(plan=p, unit_region=cast.town_a).values_list(
            "period_start", "due_on"
        )
    )
    # 31 Jan 2026 is a Saturday: due Friday the 30th; 28 Feb 2026 is a Saturday made a
    # working day (Spring Festival): due that day.
    assert due == {
        dt.date(2026, 1, 1): dt.date(2026, 1, 30),
        dt.date(2026, 2, 1): dt.date(2026, 2, 28),
    }
    task = InspectionTask.objects.filter(plan=p).first()
    assert list(task.assignees.all()) == [insp]


def test_the_daily_command_makes_the_current_periods_tasks(cast):
    plan(cast, year=2026, frequency="quarterly", inspectors=[inspector(cast)])
    call_command("inspection_tasks", "--date", "2026-05-04")
    call_command("inspection_tasks", "--date", "2026-05-20")
    assert list(InspectionTask.objects.values_list("period_start", "due_on")) == [
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    ]


def test_self_check_tasks_go_to_the_units_own_people_and_hidden_schedules_do_not(cast):
    self_plan = plan(
        cast,
        kind="self_check",
        level="self_check",
        frequency="half_monthly",
        year=2026,
        departments=[cast.police],
    )
    secret = plan(cast, kind="unannounced", year=2026, inspectors=[inspector(cast)])
    plans.tasks_generate(on=dt.date(2026, 2, 10))
    own = InspectionTask.objects.get(plan=self_plan, unit_region=cast.town_a)
    dept = InspectionTask.objects.get(plan=self_plan, unit_department=cast.police)
    assert set(own.assignees.all()) == {cast.dispatcher, cast.gridleader}
    assert list(dept.assignees.all()) == [cast.handler]
    hidden = InspectionTask.objects.get(plan=secret)
    assert access_task(cast.dispatcher, own.pk) == own
    with pytest.raises(NotFound):
        access_task(cast.dispatcher, hidden.pk)  # the town never sees an 暗访 coming


def test_submitting_a_task_is_idempotent_and_failed_items_deduct_their_points(cast):
    insp = inspector(cast)
    p = plan(cast, year=2026, inspectors=[insp])
    with clock.frozen(AT):
        plans.tasks_generate()
        task = InspectionTask.objects.get(plan=p)
        cl = checklist("supervision")
        failed = ["P01", "P05"]
        answers = [
            {"item": i.code, "result": "problem" if i.code in failed else "ok"}
            for i in cl.items.all()
        ]
        key = uuid.uuid4()
        first, created = services.inspection_submit(
            actor=insp,
            client_uuid=key,
            task_id=task.pk,
            answers=answers,
            findings=[{"text": "消防通道堆放杂物", "item": "P05", "severity": "major"}],
        )
        again, created_again = services.inspection_submit(
            actor=insp, client_uuid=key, task_id=task.pk, answers=answers
        )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Inspection.objects.count() == 1
    task.refresh_from_db()
    assert task.status == "done"
    points = {i.code: i.points for i in cl.items.filter(code__in=failed)}
    deductions = Deduction.objects.filter(source_kind="inspection", source_id=first.pk)
    assert sorted(d.points for d in deductions) == sorted(points.values())
    assert {d.unit_region_id for d in deductions} == {cast.town_a.pk}
    assert first.deducted == sum(points.values(), Decimal("0"))
    # P05 has its own finding; P01 got one from its answer.
    assert (
        sorted(Finding.objects.filter(inspection=first).values_list("item__code", flat=True))
        == failed
    )


def test_someone_else_reusing_a_client_uuid_is_refused(cast):
    insp = inspector(cast)
    key = uuid.uuid4()
    submit(insp, unit=cast.town_a, client_uuid=key)
    with pytest.raises(Conflict):
        submit(cast.county_dispatcher, unit=cast.town_a, client_uuid=key)


def test_unannounced_results_stay_hidden_from_the_town_until_published(cast):
    insp = inspector(cast)
    i = submit(insp, unit=cast.town_a, kind="unannounced", problems=("U01",))
    finding = i.findings.get()
    services.finding_order_issue(
        actor=insp,
        inspection_id=i.pk,
        finding_id=finding.pk,
        deadline=clock.now().date() + dt.timedelta(days=10),
    )
    assert Deduction.objects.filter(source_id=i.pk).count() == 0  # not before publishing
    with pytest.raises(NotFound):
        access_inspection(cast.dispatcher, i.pk)
    assert not selectors.inspection_list(cast.dispatcher).exists()
    order = RectificationOrder.objects.get(source_kind="inspection", source_id=i.pk)
    assert order.published is False
    with pytest.raises(Forbidden):
        services.inspection_publish(actor=insp, inspection_id=i.pk)  # the office publishes
    assert services.inspection_publish(actor=cast.county_dispatcher, inspection_id=i.pk) == 1
    assert access_inspection(cast.dispatcher, i.pk).pk == i.pk
    order.refresh_from_db()
    assert order.published is True
    assert Deduction.objects.filter(source_id=i.pk).count() == 1
    with pytest.raises(Conflict):
        services.inspection_publish(actor=cast.county_dispatcher, inspection_id=i.pk)


def test_scope_of_a_published_inspection(cast):
    i = submit(inspector(cast), unit=cast.town_a)
    for seer in (cast.county_dispatcher, cast.dispatcher, cast.leader):
        assert access_inspection(seer, i.pk).pk == i.pk
    for other in (cast.dispatcher_b, cast.leader_b, cast.gridworker, cast.handler):
        with pytest.raises(NotFound):
            access_inspection(other, i.pk)


def test_an_order_once_per_finding_and_only_by_the_office_or_its_inspectors(cast):
    insp = inspector(cast)
    other = inspector(cast, "insp2")
    i = submit(insp, unit=cast.town_a)
    f = i.findings.get()
    later = clock.now().date() + dt.timedelta(days=7)
    with pytest.raises(Forbidden):
        services.finding_order_issue(
            actor=cast.dispatcher, inspection_id=i.pk, finding_id=f.pk, deadline=later
        )
    with pytest.raises(NotFound):
        services.finding_order_issue(
            actor=other, inspection_id=i.pk, finding_id=f.pk, deadline=later
        )
    with pytest.raises(Invalid):
        services.finding_order_issue(
            actor=insp,
            inspection_id=i.pk,
            finding_id=f.pk,
            deadline=clock.now().date() - dt.timedelta(days=2),
        )
    done = services.finding_order_issue(
        actor=cast.county_dispatcher, inspection_id=i.pk, finding_id=f.pk, deadline=later
    )
    order = RectificationOrder.objects.get(pk=done.order_id)
    assert (order.unit_region_id, order.deadline, order.source_id) == (cast.town_a.pk, later, i.pk)
    assert set(order.watchers.all()) == {insp}
    with pytest.raises(Conflict):
        services.finding_order_issue(
            actor=insp, inspection_id=i.pk, finding_id=f.pk, deadline=later
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "nonsense"}, "kind"),
        ({"unit_region_id": None}, "unit_region"),
        ({"answers": [{"item": "ZZZ", "result": "ok"}]}, "answers"),
        ({"answers": [{"item": "P01", "result": "maybe"}]}, "answers"),
        ({"findings": [{"text": " "}]}, "findings"),
        ({"lat": 30.5}, "lat"),
        ({"started_at": "2026-01-01T10:00"}, "started_at"),
    ],
)
def test_bad_submissions_are_refused_with_the_field_and_nothing_written(cast, change, field):
    args = {"kind": "supervision", "unit_region_id": cast.town_a.pk, "answers": [], "findings": []}
    args.update(change)
    checklist("supervision")
    with pytest.raises(Invalid) as e:
        services.inspection_submit(actor=inspector(cast), client_uuid=uuid.uuid4(), **args)
    assert field in e.value.fields
    assert Inspection.objects.count() == 0


def test_who_may_inspect_without_a_task(cast):
    checklist("supervision")
    with pytest.raises(Forbidden):
        submit(cast.dispatcher, unit=cast.town_a)  # a town does not inspect itself ...
    own = submit(cast.dispatcher, unit=cast.town_a, kind="self_check")  # ... but self-checks
    assert own.published_at is not None
    with pytest.raises(Forbidden):
        submit(cast.dispatcher, unit=cast.town_b, kind="self_check")


def test_the_report_lists_findings_deductions_and_orders_with_names_masked(cast):
    from io import BytesIO

    from docx import Document

    from pingan.inspections.reports import inspection_report

    insp = inspector(cast)
    i = submit(insp, unit=cast.town_a, problems=("P05",), note="联系人13812345678")
    f = i.findings.get()
    services.finding_order_issue(
        actor=insp,
        inspection_id=i.pk,
        finding_id=f.pk,
        deadline=clock.now().date() + dt.timedelta(days=5),
    )
    data, _stem = inspection_report(actor=cast.dispatcher, inspection_id=i.pk)
    text = "\n".join(p.text for p in Document(BytesIO(data)).paragraphs)
    tables = "\n".join(
        c.text for t in Document(BytesIO(data)).tables for r in t.rows for c in r.cells
    )
    assert f.text in text and "武原街道" in tables
    assert str(f.item.points.normalize()) in tables
    assert "13812345678" not in text and "督查甲" not in text
    with pytest.raises(NotFound):
        inspection_report(actor=cast.dispatcher_b, inspection_id=i.pk)


def test_inspections_tagged_to_a_campaign_count_towards_its_progress(cast):
    from pingan.campaigns.progress import _COUNTERS, metrics
    from pingan.campaigns.tests.factories import new_campaign

    campaign = new_campaign(cast)
    insp = inspector(cast)
    submit(insp, unit=cast.town_a, campaign_id=campaign.pk)
    submit(insp, unit=cast.town_b, campaign_id=campaign.pk)
    submit(insp, unit=cast.town_a)  # not tagged
    assert "inspections" in metrics()
    assert _COUNTERS["inspections"].fn(campaign) == 2
