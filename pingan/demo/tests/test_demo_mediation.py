"""The demo county's mediation (pingan/demo/mediation.py): committees with their 五有
rows and mediators, the demo mediator, a year of cases consistent with the dispute events,
written once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from pingan.accounts.models import User
from pingan.core import clock
from pingan.demo.build import load_demo
from pingan.events.choices import Resolution
from pingan.events.models import Event, EventTransition
from pingan.mediation import rollup
from pingan.mediation.choices import Channel, CheckState, CommitteeLevel, Status
from pingan.mediation.models import (
    Committee,
    CommitteeCheck,
    MediationCase,
    MediationSession,
    MediationTransition,
    Mediator,
    MonthlyRollup,
    Party,
)
from pingan.mediation.selectors import case_list
from pingan.org.models import Membership
from pingan.screening.models import ScreeningItem

BUILT = dt.datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ROLLUP_COLUMNS = ("region_path", "day", "dim", "value", "sensitivity", *rollup.MEASURES)
SMALL = {"events": 3000, "live_days": 1, "seed": 7, "villages_per_town": 2, "grids_per_village": 2}


def counts() -> dict[str, int]:
    return {
        "committees": Committee.objects.count(),
        "mediators": Mediator.objects.count(),
        "cases": MediationCase.objects.count(),
        "parties": Party.objects.count(),
        "sessions": MediationSession.objects.count(),
        "timeline": MediationTransition.objects.count(),
        "event_rows": EventTransition.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """A small demo county built twice at a frozen moment, rolled back after the module."""
    var = tmp_path_factory.mktemp("var")
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=var),
        transaction.atomic(),
        clock.frozen(BUILT),
    ):
        first = load_demo(**SMALL)
        after_first = counts()
        second = load_demo(**SMALL)
        yield {"first": first, "second": second, "after_first": after_first}
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_committees_by_level_with_their_five_checks_and_mediators(demo):
    by_level = Counter(Committee.objects.values_list("level", flat=True))
    assert by_level == {
        CommitteeLevel.VILLAGE: 9 * 2,
        CommitteeLevel.TOWN: 9,
        CommitteeLevel.JOINT_CENTRE: 1,
        CommitteeLevel.PROFESSIONAL: 4,
    }
    professional = Committee.objects.filter(level=CommitteeLevel.PROFESSIONAL)
    assert set(professional.values_list("kind", flat=True)) == {
        "traffic",
        "medical",
        "labour",
        "new_resident",
    }
    assert professional.filter(is_gold_room=True).count() == 2
    village = Committee.objects.filter(level=CommitteeLevel.VILLAGE).first()
    assert village.parent.level == CommitteeLevel.TOWN
    assert village.region.code.startswith(village.parent.region.code)
    # 五有: five rows each, most met, some partial or missing, checked in the last year.
    checks = CommitteeCheck.objects.all()
    assert checks.count() == 5 * Committee.objects.count()
    states = Counter(checks.values_list("state", flat=True))
    assert states[CheckState.OK] > 0.75 * checks.count()
    assert states[CheckState.PARTIAL] + states[CheckState.MISSING] > 0
    today = BUILT.date()
    for day in checks.values_list("checked_on", flat=True):
        assert today - dt.timedelta(days=366) <= day <= today
    per = Committee.objects.annotate(n=Count("mediators")).values_list("n", flat=True)
    assert all(2 <= n <= 3 for n in per)


@pytest.mark.django_db
def test_the_demo_mediator_signs_in_and_sees_the_town_committees_cases(demo):
    user = User.objects.get(username="mediator")
    assert user.check_password("Pingan@2026")
    (post,) = Mediator.objects.filter(user=user)
    assert post.committee.level == CommitteeLevel.TOWN
    assert post.committee.region.code == "330424001"
    assert Membership.objects.filter(user=user, role="mediator", is_active=True).exists()
    own = MediationCase.objects.filter(committee=post.committee)
    assert own.exists()
    visible = set(case_list(actor=user).values_list("pk", flat=True))
    assert set(own.values_list("pk", flat=True)) <= visible


@pytest.mark.django_db
def test_a_year_of_cases_from_every_channel_with_the_seeds_success_rate(demo):
    # The mediation step's own cases (the screening rounds' findings add some of theirs).
    cases = MediationCase.objects.exclude(
        pk__in=ScreeningItem.objects.exclude(case=None).values("case")
    )
    first = demo["first"].mediation
    assert first.cases == cases.count() > 50
    channels = set(cases.values_list("channel", flat=True))
    assert {Channel.EVENT, Channel.WALK_IN, Channel.HOTLINE_12345} <= channels
    assert first.referred == cases.filter(channel=Channel.EVENT).count()
    oldest = cases.order_by("created_at").first().created_at
    assert oldest < BUILT - dt.timedelta(days=300)
    assert cases.order_by("-created_at").first().created_at <= BUILT
    # The outcome: agreements near the seeds' 97 %, of the cases mediated to an end.
    ended = cases.exclude(ended_at=None).exclude(status=Status.WITHDRAWN)
    agreed = ended.exclude(agreement_terms="").count()
    assert 0.88 <= agreed / ended.count() <= 0.995
    agreements = cases.exclude(agreement_terms="")
    at_once = agreements.filter(performance="at_once").count()
    assert 0.5 <= at_once / agreements.count() <= 0.9
    statuses = set(cases.values_list("status", flat=True))
    assert {Status.MEDIATING, Status.SUCCEEDED, Status.CLOSED} <= statuses
    assert cases.exclude(failure_reason="").exists()
    # Some are open, some of those past their term.
    open_cases = cases.filter(status__in=[Status.ACCEPTED, Status.MEDIATING])
    assert open_cases.filter(due_at__lt=BUILT).exists()
    assert open_cases.filter(due_at__gte=BUILT).exists()
    assert MediationSession.objects.count() >= cases.exclude(committee=None).count()


@pytest.mark.django_db
def test_every_case_is_consistent(demo):
    for case in MediationCase.objects.prefetch_related("parties", "timeline", "sessions"):
        rows = list(case.timeline.all())
        assert rows[0].action == "register" and rows[-1].to_status == case.status, case.code
        assert [r.at for r in rows] == sorted(r.at for r in rows), case.code
        roles = {p.role for p in case.parties.all()}
        assert roles == {"applicant", "respondent"}, case.code
        assert case.code.startswith(f"TJ-330424-{timezone.localtime(case.created_at):%Y%m%d}-")
        if case.status in (Status.SUCCEEDED,) or case.performance:
            assert case.agreement_terms and case.performance and case.ended_at, case.code
        if case.status == Status.FAILED:
            assert case.failure_reason, case.code
        if case.status == Status.CLOSED:
            assert case.closed_at and case.closed_at <= BUILT, case.code
            assert case.agreement_terms or case.failure_reason or case.withdrawal_reason
            if case.agreement_terms:
                assert case.performed is not None, case.code
        if case.committee_id:
            assert case.level == case.committee.level
            assert case.region_path.startswith(case.committee.region_path), case.code
            assert case.mediator is None or case.mediator.committee_id == case.committee_id
            assert case.accepted_at and case.due_at, case.code
        for session in case.sessions.all():
            assert case.accepted_at < session.at <= (case.ended_at or BUILT), case.code
        if case.judicial_ruling:
            assert case.judicial_requested_at and case.agreement_terms


@pytest.mark.django_db
def test_referred_cases_follow_their_dispute_events(demo):
    referred = MediationCase.objects.filter(channel=Channel.EVENT).select_related("event")
    assert referred.count() > 10
    for case in referred:
        event = case.event
        assert event.category.code.startswith("dispute."), case.code
        assert not event.resolved_on_site
        assert event.accepted_at <= case.created_at, case.code
        assert case.region_id == event.region_id
        if case.agreement_terms:
            assert event.resolution == Resolution.RESOLVED, case.code
        elif case.failure_reason:
            assert event.resolution == Resolution.UNRESOLVED, case.code
            assert case.referral == event.referral
        else:
            assert not event.resolution, case.code
        actions = list(
            EventTransition.objects.filter(
                event=event, action__in=["refer_mediation", "mediation_result"]
            )
            .order_by("at")
            .values_list("action", "data")
        )
        assert actions[0] == (
            "refer_mediation",
            {"mediation_case": case.pk, "mediation_code": case.code},
        )
        assert len(actions) == (2 if case.ended_at else 1), case.code
    # Most referred disputes end in an agreement, as the events' outcomes say.
    resolved = referred.filter(event__resolution=Resolution.RESOLVED).count()
    assert resolved > 0.8 * referred.exclude(event__resolution="").count()
    # No dispute settled on site, no non-dispute event is referred.
    assert not Event.objects.filter(pk__in=referred.values("event"), resolved_on_site=True).exists()


@pytest.mark.django_db
def test_parties_are_encrypted_and_the_second_run_adds_nothing(demo):
    assert demo["second"].mediation.cases == 0
    assert demo["second"].mediation.committees == 0
    assert counts() == demo["after_first"]
    party = Party.objects.filter(kind="person").exclude(phone_index="").first()
    with connection.cursor() as c:
        c.execute("SELECT name, phone FROM mediation_party WHERE id = %s", [party.pk])
        raw_name, raw_phone = c.fetchone()
    assert raw_name != party.name and raw_phone != party.phone
    assert party.phone_index


@pytest.mark.django_db
def test_the_figures_rollup_counts_the_demo_cases(demo):
    rows = MonthlyRollup.objects.filter(region_path="330424/", dim="channel", sensitivity="")
    cases = MediationCase.objects.filter(sensitivity="")
    assert sum(r.n for r in rows) == cases.count()
    assert sum(r.succeeded for r in rows) == cases.exclude(performance="").count()
    assert (
        sum(r.open for r in rows)
        == cases.filter(status__in=[Status.REGISTERED, Status.ACCEPTED, Status.MEDIATING]).count()
    )

    # The same rows as the figures' own rebuild writes.
    def snapshot() -> set[tuple]:
        return set(MonthlyRollup.objects.values_list(*ROLLUP_COLUMNS))

    written = snapshot()
    rollup.rebuild()
    assert snapshot() == written
