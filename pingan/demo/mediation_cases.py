"""The demo county's mediation cases (docs/demo-county.md, "Mediation"): which cases
there are (`referred_specs`, `other_specs`) and each case's life worked out in closed form
as it stands now (`Writer`), on the workflow's calendar and deadline rules."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pingan.cases import deadlines
from pingan.core import pii
from pingan.demo import mediation_texts as tx
from pingan.demo.organisation import person_name
from pingan.demo.simulation import _after_work, _demo_phone
from pingan.events.choices import Resolution
from pingan.geo.models import Region
from pingan.mediation import workflow
from pingan.mediation.choices import (
    PartyKind,
    PartyRole,
    Performance,
    Ruling,
    Status,
)
from pingan.mediation.models import (
    Committee,
    MediationCase,
    MediationSession,
    MediationTransition,
    Mediator,
    Party,
)
from pingan.org.choices import Role

JUDICIAL = 0.08  # agreements taken to the court for judicial confirmation
AT_ONCE = 0.7  # agreements performed at once (the rest by a date)
# ---- cases ------------------------------------------------------------------------------------


@dataclass
class Spec:
    """One case to write: where it came from and how it ends (ended None: still open)."""

    key: uuid.UUID
    channel: str
    created: dt.datetime
    region: Region
    kind: str
    summary: str
    amount: Decimal | None
    success: bool | None  # None: withdrawn / rejected / open, see `end`
    end: str = ""  # succeed / fail / withdraw / reject, or "" (open)
    ended: dt.datetime | None = None
    referral: str = ""
    event: dict[str, Any] | None = None
    register_user: Any = None
    register_role: str = Role.MEDIATOR


# ---- a case's life ----------------------------------------------------------------------------


def _id_number(rng: random.Random) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 52))
    first = f"330424{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first + pii.id_number_check_digit(first)


def _office(day: dt.date, rng: random.Random, tz: Any) -> dt.datetime:
    """A moment in office hours on `day`."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz) + dt.timedelta(hours=rng.uniform(9, 16.5))


@dataclass
class Board:
    """The committees by key (`v:<village>`, `t:<town>`, `joint`, `p:<kind>`) and their
    active mediators."""

    committees: dict[str, Committee]
    mediators: dict[int, list[Mediator]]


@dataclass
class Rows:
    """Everything one run writes."""

    cases: list[MediationCase] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    sessions: list[tuple[MediationSession, dict[str, Any]]] = field(default_factory=list)
    timeline: list[MediationTransition] = field(default_factory=list)
    event_rows: list[tuple[Any, ...]] = field(default_factory=list)


class Writer:
    """Works out each case's life up to `now` and collects its rows."""

    PROFESSIONAL_SHARE = {"traffic": 0.7, "medical": 0.9, "labour": 0.4}

    def __init__(
        self,
        *,
        board: Board,
        seed: int,
        now: dt.datetime,
        names: dict[str, str],
        counters: dict[str, int],
        county_code: str,
    ) -> None:
        self.board, self.seed, self.now = board, seed, now
        self.names, self.counters, self.county_code = names, counters, county_code
        self.rows = Rows()
        self.natural = workflow.natural_time()

    def _code(self, at: dt.datetime) -> str:
        prefix = f"TJ-{self.county_code}-{timezone.localtime(at):%Y%m%d}"
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}-{n:04d}"

    def committee_for(self, rng: random.Random, spec: Spec) -> Committee:
        c = self.board.committees
        share = self.PROFESSIONAL_SHARE.get(spec.kind, 0.0)
        if share and rng.random() < share:
            return c[f"p:{spec.kind}"]
        if rng.random() < 0.04:
            return c["p:new_resident"]
        village = c.get(f"v:{spec.region.code[:12]}")
        town = c.get(f"t:{spec.region.code[:9]}") or c["joint"]
        r = rng.random()
        if r < 0.05:
            return c["joint"]
        return town if r < 0.35 or village is None else village

    def _parties(self, rng: random.Random, spec: Spec, pk: int) -> list[Party]:
        village = self.names.get(spec.region.code[:12], "")
        town = self.names.get(spec.region.code[:9], "").removesuffix("街道").removesuffix("镇")
        applicants = rng.randint(1, 3) if spec.kind == "labour" else 1 + (rng.random() < 0.1)
        out = [self._person(rng, pk, PartyRole.APPLICANT, village) for _ in range(applicants)]
        orgs = tx.ORGANISATIONS.get(spec.kind)
        if orgs and rng.random() < (0.3 if spec.kind == "traffic" else 0.8):
            out.append(self._person(rng, pk, PartyRole.RESPONDENT, village))
            out[-1].kind, out[-1].id_number, out[-1].id_number_index = (
                PartyKind.ORGANISATION,
                "",
                "",
            )
            out[-1].name = rng.choice(orgs).format(town=town)
            out[-1].phone = f"05738{rng.randint(0, 9999999):07d}"
            out[-1].phone_index = pii.blind_index(out[-1].phone, kind="phone")
        else:
            out.append(self._person(rng, pk, PartyRole.RESPONDENT, village))
        return out

    @staticmethod
    def _person(rng: random.Random, pk: int, role: str, village: str) -> Party:
        id_number = _id_number(rng) if rng.random() < 0.6 else ""
        phone = _demo_phone(rng.choice("3589"), rng.randint(0, 9), rng.randint(0, 9999))
        return Party(
            case_id=pk,
            role=role,
            kind=PartyKind.PERSON,
            name=person_name(rng),
            id_number=id_number,
            id_number_index=pii.blind_index(id_number, kind="id_number"),
            phone=phone,
            phone_index=pii.blind_index(phone, kind="phone"),
            address=f"{village}{rng.randint(1, 30)}组{rng.randint(1, 99)}号",
        )

    def case(self, spec: Spec, pk: int) -> MediationCase:
        """The case of `spec` as it stands at `now`, with its rows collected."""
        case = self._life(spec, pk)
        if case.status in (Status.ACCEPTED, Status.MEDIATING) and case.accepted_at and case.due_at:
            # Only an open case has its yellow light (the costlier calendar sum).
            case.warn_at = deadlines.warning_at(case.accepted_at, case.due_at, natural=self.natural)
        return case

    def _life(self, spec: Spec, pk: int) -> MediationCase:
        rng = random.Random(f"case:{self.seed}:{spec.key}")
        now, rows, e = self.now, self.rows, spec.event
        committee = self.committee_for(rng, spec)
        mediators = self.board.mediators.get(committee.pk)
        mediator = rng.choice(mediators) if mediators else None
        med_user = mediator.user if mediator else None
        med_role = Role.MEDIATOR if med_user else "system"
        case = MediationCase(
            pk=pk,
            code=self._code(spec.created),
            status=Status.REGISTERED,
            channel=spec.channel,
            event_id=e["pk"] if e else None,
            dispute_kind=spec.kind,
            amount=spec.amount,
            summary=spec.summary,
            region=spec.region,
            region_path=spec.region.path,
            sensitivity=(e["sensitivity"] or "") if e else "",
            client_uuid=spec.key,
            created_by=spec.register_user or med_user,
            created_at=spec.created,
        )
        rows.cases.append(case)

        def step(
            at: dt.datetime, action: str, to: str, *, note: str = "", data: dict | None = None
        ) -> None:
            first = not rows.timeline or rows.timeline[-1].case_id != pk
            user, role = (
                (
                    spec.register_user or med_user,
                    spec.register_role if spec.register_user else med_role,
                )
                if first
                else (med_user, med_role)
            )
            rows.timeline.append(
                MediationTransition(
                    case_id=pk,
                    action=action,
                    from_status="" if first else case.status,
                    to_status=to,
                    actor=user,
                    actor_role=role,
                    note=note,
                    public_reply=note if action in ("fail", "reject") else "",
                    data={} if data is None else data,
                    at=at,
                )
            )
            case.status = to
            case.updated_at = at

        parties = self._parties(rng, spec, pk)
        rows.parties.extend(parties)
        data: dict[str, Any] = {"channel": spec.channel, "parties": len(parties)}
        if e is not None:
            data.update(event=e["pk"], event_code=e["code"])
            self._event_row(e, spec.created, "refer_mediation", spec, case, f"转调解：{case.code}")
        step(spec.created, "register", Status.REGISTERED, data=data)
        ended = spec.ended
        if spec.end == "reject":
            if ended is not None and ended <= now:
                step(ended, "reject", Status.REJECTED, note=rng.choice(tx.REJECT_REASONS))
                case.closed_at = ended
            return case
        accepted = _after_work(spec.created, rng.uniform(0.3, 6))
        if ended is not None:
            accepted = min(accepted, spec.created + (ended - spec.created) / 3)
        if accepted > now:
            return case
        case.accepted_at = accepted
        case.due_at = deadlines.due(accepted, workflow.term_days(), "days", natural=self.natural)
        step(accepted, "accept", Status.ACCEPTED)
        assigned = accepted + dt.timedelta(minutes=2)
        if assigned > now:
            return case
        case.committee, case.mediator, case.level = committee, mediator, committee.level
        step(
            assigned,
            "assign",
            Status.MEDIATING,
            data={
                "from_committee": None,
                "from_committee_name": "",
                "to_committee": committee.pk,
                "to_committee_name": committee.name,
                "mediator": mediator.pk if mediator else None,
                "mediator_name": mediator.name if mediator else "",
            },
        )
        until = min(ended, now) if ended else now
        count = 1 + (rng.random() < 0.4) + (rng.random() < 0.15)
        times = sorted(
            assigned + (until - assigned) * rng.uniform(0.05, 0.95) for _ in range(count)
        )
        for at in times:
            place = rng.choice(tx.SESSION_PLACES)
            session = MediationSession(
                case_id=pk,
                at=at,
                place=place,
                attendees="调解员、双方当事人",
                record=rng.choice(tx.SESSION_RECORDS),
                recorded_by=med_user,
            )
            data = {"session": None, "at": at.isoformat(), "place": place}
            rows.sessions.append((session, data))
            step(at, "session", Status.MEDIATING, data=data)
        if ended is None or ended > now:
            return case
        case.ended_at = ended
        if spec.end == "succeed":
            self._agreement(rng, spec, case, step)
        elif spec.end == "fail":
            case.failure_reason, case.referral = rng.choice(tx.FAILURE_REASONS), spec.referral
            step(
                ended,
                "fail",
                Status.FAILED,
                note=case.failure_reason,
                data={"referral": spec.referral},
            )
            self._close(rng, case, step, ended)
        else:
            case.withdrawal_reason = rng.choice(tx.WITHDRAWAL_REASONS)
            step(ended, "withdraw", Status.WITHDRAWN, note=case.withdrawal_reason)
            self._close(rng, case, step, ended)
        if e is not None and spec.end in ("succeed", "fail"):
            verdict = "调解成功" if spec.end == "succeed" else "调解不成"
            self._event_row(e, ended, "mediation_result", spec, case, f"{verdict}（{case.code}）")
        return case

    def _agreement(self, rng: random.Random, spec: Spec, case: MediationCase, step: Any) -> None:
        ended, now, tz = case.ended_at, self.now, timezone.get_current_timezone()
        assert ended is not None
        days = rng.choice([3, 7, 10, 15, 30])
        amount = f"{spec.amount or Decimal(rng.randint(1, 20) * 1000):.0f}"
        case.agreement_terms = rng.choice(tx.TERMS).format(days=days, amount=amount)
        case.performance = Performance.AT_ONCE if rng.random() < AT_ONCE else Performance.BY_DATE
        extra: dict[str, Any] = {"performance": case.performance}
        if case.performance == Performance.BY_DATE:
            case.performance_due = timezone.localdate(ended) + dt.timedelta(days=days)
            extra["performance_due"] = case.performance_due.isoformat()
        step(ended, "succeed", Status.SUCCEEDED, data=extra)
        ready = ended
        if rng.random() < JUDICIAL:
            asked = _office(timezone.localdate(ended) + dt.timedelta(rng.randint(1, 10)), rng, tz)
            if asked > now:
                return
            case.judicial_requested_at, case.judicial_court = asked, tx.COURT
            step(asked, "request_confirmation", Status.SUCCEEDED, data={"court": tx.COURT})
            ruled = _office(timezone.localdate(asked) + dt.timedelta(rng.randint(5, 20)), rng, tz)
            if ruled > now:
                return
            case.judicial_ruling = Ruling.CONFIRMED if rng.random() < 0.97 else Ruling.REJECTED
            case.judicial_ruled_on = timezone.localdate(ruled)
            step(
                ruled,
                "record_ruling",
                Status.SUCCEEDED,
                data={
                    "ruling": case.judicial_ruling,
                    "ruled_on": case.judicial_ruled_on.isoformat(),
                },
            )
            ready = ruled
        base = case.performance_due or timezone.localdate(ended)
        checked = max(_office(base + dt.timedelta(rng.randint(1, 7)), rng, tz), ready)
        if checked > now:
            return
        case.performed = rng.random() < 0.97
        step(checked, "check_performance", Status.SUCCEEDED, data={"performed": case.performed})
        self._close(rng, case, step, checked)

    def _close(
        self, rng: random.Random, case: MediationCase, step: Any, after: dt.datetime
    ) -> None:
        at = _after_work(after, rng.uniform(1, 24))
        if at <= self.now:
            case.closed_at = at
            step(at, "close", Status.CLOSED)

    def _event_row(
        self,
        e: dict[str, Any],
        at: dt.datetime,
        action: str,
        spec: Spec,
        case: MediationCase,
        note: str,
    ) -> None:
        if at > self.now:
            return
        data: dict[str, Any] = {"mediation_case": case.pk, "mediation_code": case.code}
        if action == "refer_mediation":
            status, user, role = "accepted", spec.register_user, str(Role.DISPATCHER)
        else:
            closed = e["closed_at"] is not None and e["closed_at"] <= at
            status, user, role = ("closed" if closed else "resolved"), None, "system"
            data["resolution"] = (
                Resolution.RESOLVED if spec.end == "succeed" else Resolution.UNRESOLVED
            )
            if spec.end == "fail":
                data["referral"] = spec.referral
        self.rows.event_rows.append(
            (
                e["pk"],
                action,
                status,
                status,
                getattr(user, "pk", None),
                role,
                None,
                note,
                "",
                data,
                at,
            )
        )
