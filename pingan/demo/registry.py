"""The demo county's people registers (docs/registry.md, "Demo"): about 30,000 persons at
the default scale in households across the ordinary grids, a fifth of them new residents
(新居民) with their move-in, residence permits (some expiring, some expired, some still
applied for) and points ledgers; a few moved out; a few dozen key persons (重点人员) of
every category with their helpers, visit tasks over the last year (most done, some missed)
and the visits.

Plainly fake: names from the demo's name parts, ID numbers with valid check digits
(registered residents born in the county's area code, new residents in a handful of
sending counties' codes), mobile numbers in the reserved demo range 170-00xx-xxxx,
addresses made of the demo texts' estates and roads. Dates come from the demo's clock.

Written in bulk (`bulk_create` with ids reserved up front, so households and their heads
refer to each other in one pass); the personal values are encrypted by the model fields
on the way in, which is most of the step's cost. Idempotent: when the county already has
persons the step writes nothing (a second run, or a run on a later day, adds nobody).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.core import pii
from pingan.demo import generate
from pingan.demo import texts as tx
from pingan.demo.organisation import Staff, person_name
from pingan.demo.simulation import GridSpot
from pingan.geo.models import Region
from pingan.registry import rollup
from pingan.registry.choices import (
    HouseholdKind,
    KeyPersonStatus,
    MoveKind,
    PermitStatus,
    PersonKind,
    PersonStatus,
    RiskLevel,
    Sex,
    VisitOutcome,
)
from pingan.registry.defaults import categories_ensure
from pingan.registry.models import (
    Household,
    KeyPerson,
    KeyPersonCategory,
    KeyPersonVisit,
    Person,
    PersonMove,
    PointsEntry,
    PointsLevel,
    PointsRule,
    ResidencePermit,
    VisitTask,
)

PERSONS = 30_000  # persons at the default scale (100,000 events a year)
KEY_PERSONS = 48  # key persons at the default scale
NEW_SHARE = 0.20  # new residents (新居民)
OVERSEAS_SHARE = 0.004
MOVED_OUT_SHARE = 0.03
PHONE_PREFIX = "17000"  # 170-00xx-xxxx: a range no operator assigns, kept for the demo
COUNTY_AREA = "330424"  # 海盐县
# Sending counties of the county's new residents (area codes of the ID numbers).
SENDING_AREAS = ["341221", "341522", "411522", "411526", "522427", "511623", "362330", "532128"]
BATCH = 2_000

# The demo county's points rules (积分细则) and levels, when the county has none of its own.
POINTS_RULES: list[tuple[str, str, int, int | None]] = [
    ("demo-edu", "大专及以上学历", 20, None),
    ("demo-insurance", "在本县连续缴纳社会保险（每满一年）", 10, 10),
    ("demo-house", "在本县购买住房", 30, None),
    ("demo-volunteer", "参加志愿服务（每次）", 2, 20),
    ("demo-blood", "无偿献血（每次）", 5, 10),
    ("demo-honour", "获县级以上表彰", 15, None),
    ("demo-violation", "违法违规行为", -20, None),
]
POINTS_LEVELS: list[tuple[str, int]] = [
    ("一星", 0),
    ("二星", 30),
    ("三星", 60),
    ("四星", 100),
    ("五星", 150),
]
KEY_NOTES = [
    "按期报到，表现稳定",
    "家属配合，定期沟通",
    "近期情绪波动，需加强关注",
    "已落实帮扶措施",
    "就业情况良好，定期回访",
]
VISIT_NOTES = {
    VisitOutcome.MET: ["入户见面，情况正常", "本人在家，交谈正常", "与家属一同交流，无异常"],
    VisitOutcome.PHONE: ["电话联系本人，情况正常", "电话回访，近况稳定"],
    VisitOutcome.NOT_FOUND: ["上门未遇，已留联系方式", "本人外出务工，联系家属了解情况"],
    VisitOutcome.ABNORMAL: ["发现情绪异常，已报告社区", "近期与邻居有矛盾，已介入调解"],
}


@dataclass
class Written:
    """What `build_registry` wrote."""

    persons: int = 0
    new_residents: int = 0
    households: int = 0
    permits: int = 0
    points_entries: int = 0
    key_persons: int = 0
    tasks: int = 0
    missed: int = 0
    visits: int = 0
    existed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def id_number(area: str, born: dt.date, seq: int) -> str:
    """An 18-digit ID number with its check digit (GB 11643); `seq` 0–999, odd for men."""
    first17 = f"{area}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + pii.id_number_check_digit(first17)


class _Ids:
    """Unique ID numbers and phones for one run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.numbers: set[str] = set()
        self.phones = rng.sample(range(1_000_000), k=1_000_000)
        self.next_phone = 0

    def number(self, area: str, born: dt.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == Sex.MALE else 0)
            value = id_number(area, born, seq)
            if value not in self.numbers:
                self.numbers.add(value)
                return value
            born += dt.timedelta(days=1)

    def phone(self) -> str:
        n = self.phones[self.next_phone % len(self.phones)]
        self.next_phone += 1
        return f"{PHONE_PREFIX}{n:06d}"


def _born(rng: random.Random, today: dt.date, lo: int, hi: int) -> dt.date:
    days = rng.randint(lo * 365, hi * 365)
    return today - dt.timedelta(days=days)


def _address(rng: random.Random, spot: GridSpot) -> str:
    if spot.village_name.endswith("社区"):
        floor, flat = rng.randint(1, 18), rng.randint(1, 4)
        return f"{rng.choice(tx.ESTATES)}{rng.randint(1, 30)}幢{floor}0{flat}室"
    return f"{spot.village_name}{rng.randint(1, 12)}组{rng.randint(1, 120)}号"


def _rules() -> tuple[list[PointsRule], int]:
    """The county's active points rules (the demo's when none exist)."""
    existing = list(PointsRule.objects.filter(is_active=True).order_by("code"))
    if existing:
        return existing, 0
    rules = [
        PointsRule(code=c, item=i, points=p, max_per_year=m, note="演示数据")
        for c, i, p, m in POINTS_RULES
    ]
    PointsRule.objects.bulk_create(rules)
    if not PointsLevel.objects.exists():
        PointsLevel.objects.bulk_create(
            [PointsLevel(name=n, threshold=t) for n, t in POINTS_LEVELS]
        )
    return list(PointsRule.objects.filter(is_active=True).order_by("code")), len(rules)


def _stamp(day: dt.date, rng: random.Random, tz: Any) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz) + dt.timedelta(
        hours=rng.uniform(8.5, 17.5)
    )


def build_registry(
    *,
    county: Region,
    spots: list[GridSpot],
    staff: Staff,
    seed: int,
    now: dt.datetime,
    scale: float = 1.0,
    progress: Callable[[str], None] = lambda s: None,
) -> Written:
    """The county's persons, households, permits, points, key persons, tasks and visits,
    unless the county has persons already (then nothing is written)."""
    out = Written()
    out.existed = Person.objects.filter(county=county).count()
    homes = [s for s in spots if not s.region.is_special]
    if out.existed or not homes:
        return out
    categories_ensure()  # the key-person categories of the data migration
    rng = random.Random(f"registry:{seed}")
    ids = _Ids(random.Random(f"registry-ids:{seed}"))
    tz = timezone.get_current_timezone()
    now = timezone.localtime(now)
    today = now.date()
    total = max(60, round(PERSONS * scale))
    weights = [s.weight * (2.0 if s.village_name.endswith("社区") else 1.0) for s in homes]
    with transaction.atomic():
        rules, _n = _rules()
        first_person = generate._reserve_ids(Person, total)
        first_household = generate._reserve_ids(Household, total)
        persons: list[Person] = []
        households: list[Household] = []
        moves: list[PersonMove] = []
        permits: list[ResidencePermit] = []
        entries: list[PointsEntry] = []

        def add_household(spot: GridSpot, kind: str, address: str) -> Household:
            number = f"{spot.code}{len(households) + 1:06d}"
            h = Household(
                pk=first_household + len(households),
                number=f"H{number}",
                kind=kind,
                address=address,
                region=spot.region,
                region_path=spot.region.path,
                county=county,
                created_at=now,
                updated_at=now,
            )
            households.append(h)
            return h

        def add_person(
            spot: GridSpot, h: Household, kind: str, relation: str, born: dt.date, sex: str
        ) -> Person:
            area = COUNTY_AREA if kind == PersonKind.REGISTERED else rng.choice(SENDING_AREAS)
            number = "" if kind == PersonKind.OVERSEAS else ids.number(area, born, sex)
            adult = (today - born).days >= 18 * 365
            phone = ids.phone() if adult and rng.random() < 0.85 else ""
            p = Person(
                pk=first_person + len(persons),
                name=person_name(rng) if kind != PersonKind.OVERSEAS else _overseas_name(rng),
                id_number=number,
                id_index=pii.blind_index(number, kind="id_number") if number else "",
                sex=sex,
                birth_date=born,
                phone=phone,
                phone_index=pii.blind_index(phone, kind="phone") if phone else "",
                kind=kind,
                household=h,
                relation=relation,
                address=h.address,
                region=spot.region,
                region_path=spot.region.path,
                county=county,
                created_at=now,
                updated_at=now,
            )
            persons.append(p)
            return p

        while len(persons) < total:
            spot = rng.choices(homes, weights)[0]
            r = rng.random()
            kind = (
                PersonKind.NEW_RESIDENT
                if r < NEW_SHARE
                else PersonKind.OVERSEAS
                if r < NEW_SHARE + OVERSEAS_SHARE
                else PersonKind.REGISTERED
            )
            hkind = HouseholdKind.FAMILY if kind == PersonKind.REGISTERED else HouseholdKind.RENTAL
            size = rng.choices([1, 2, 3, 4, 5], [14, 26, 30, 20, 10])[0]
            if kind != PersonKind.REGISTERED and rng.random() < 0.15:
                hkind, size = HouseholdKind.COLLECTIVE, rng.randint(4, 10)
            size = min(size, total - len(persons))
            h = add_household(spot, hkind, _address(rng, spot))
            head_sex = rng.choice([Sex.MALE, Sex.FEMALE])
            head = add_person(spot, h, kind, "户主", _born(rng, today, 22, 80), head_sex)
            h.head_id = head.pk
            for i in range(1, size):
                if hkind == HouseholdKind.COLLECTIVE:
                    relation, born = "集体户成员", _born(rng, today, 18, 55)
                    sex = rng.choice([Sex.MALE, Sex.FEMALE])
                elif i == 1:
                    relation = "配偶"
                    born = (head.birth_date or today) + dt.timedelta(days=rng.randint(-1500, 1500))
                    sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
                else:
                    relation = rng.choice(["子女", "子女", "父母", "孙子女"])
                    base = head.birth_date or today
                    shift = {"子女": 9000, "父母": -9500, "孙子女": 18000}[relation]
                    born = min(base + dt.timedelta(days=shift + rng.randint(-1500, 2500)), today)
                    sex = rng.choice([Sex.MALE, Sex.FEMALE])
                add_person(spot, h, kind, relation, born, sex)

        # Moves, permits and points.
        for p in persons:
            out.kinds[p.kind] = out.kinds.get(p.kind, 0) + 1
            if p.kind != PersonKind.REGISTERED:
                came = today - dt.timedelta(days=rng.randint(10, 6 * 365))
                p.moved_in_at = came
                p.created_at = _stamp(came, rng, tz)
                moves.append(
                    PersonMove(
                        person=p,
                        kind=MoveKind.MOVE_IN,
                        on=came,
                        to_region=p.region,
                        to_household=p.household,
                        note="新居民登记",
                        at=p.created_at,
                    )
                )
                if p.kind == PersonKind.NEW_RESIDENT and p.relation != "子女":
                    permit = _permit(p, rng, today, now)
                    if permit is not None:
                        permits.append(permit)
                        if permit.status in (PermitStatus.ISSUED, PermitStatus.EXPIRED):
                            entries.extend(_points(p, rules, rng, came, today, now))
            if rng.random() < MOVED_OUT_SHARE:
                gone = today - dt.timedelta(days=rng.randint(1, 700))
                if p.moved_in_at and gone <= p.moved_in_at:
                    continue
                p.status = PersonStatus.MOVED_OUT
                p.moved_out_at = gone
                moves.append(
                    PersonMove(
                        person=p,
                        kind=MoveKind.MOVE_OUT,
                        on=gone,
                        from_region=p.region,
                        from_household=p.household,
                        note="迁往外地",
                        at=_stamp(gone, rng, tz),
                    )
                )
            p.updated_at = p.created_at
        totals: dict[int, int] = {}
        for e in entries:
            totals[e.person.pk] = totals.get(e.person.pk, 0) + e.points
        for p in persons:
            p.points_total = totals.get(p.pk, 0)

        progress(f"实有人口：{len(persons)} 人、{len(households)} 户已备好，加密写入中…")
        # Households name their heads before the persons exist: the foreign keys are
        # checked at commit (deferred), so one pass each.
        Household.objects.bulk_create(households, batch_size=BATCH)
        Person.objects.bulk_create(persons, batch_size=BATCH)
        PersonMove.objects.bulk_create(moves, batch_size=BATCH)
        ResidencePermit.objects.bulk_create(permits, batch_size=BATCH)
        PointsEntry.objects.bulk_create(entries, batch_size=BATCH)
        out.persons, out.households = len(persons), len(households)
        out.new_residents = out.kinds.get(PersonKind.NEW_RESIDENT, 0)
        out.permits, out.points_entries = len(permits), len(entries)
        _key_persons(out, persons, homes, staff, rng, today, now, scale)
        rollup.rebuild(county)  # written in bulk, past the services: the figures recounted
    return out


def _overseas_name(rng: random.Random) -> str:
    first = ["JOHN", "MARIA", "NGUYEN", "KIM", "ANNA", "PETER", "SARAH", "LEE", "AHMED"]
    last = ["SMITH", "VAN", "PARK", "MUELLER", "TANAKA", "ROSSI", "DUPONT", "KHAN"]
    return f"{rng.choice(first)} {rng.choice(last)}"


def _permit(
    p: Person, rng: random.Random, today: dt.date, now: dt.datetime
) -> ResidencePermit | None:
    """A permit: issued (a tenth of them expiring within 30 days), expired, applied for
    recently, rejected; about one new resident in eight has none."""
    came: dt.date = p.moved_in_at  # type: ignore[assignment]
    r = rng.random()
    if r < 0.12:
        return None
    applied = min(came + dt.timedelta(days=rng.randint(3, 60)), today)
    permit = ResidencePermit(
        person=p,
        applied_on=applied,
        region_path=p.region_path,
        created_at=now,
        updated_at=now,
    )
    if r < 0.20 or (today - applied).days < 15:
        permit.status = PermitStatus.APPLIED
        permit.applied_on = today - dt.timedelta(days=rng.randint(0, 14))
        return permit
    if r < 0.23:
        permit.status, permit.closed_on = PermitStatus.REJECTED, applied + dt.timedelta(days=10)
        permit.note = "居住不满半年"
        return permit
    permit.issued_on = applied + dt.timedelta(days=rng.randint(7, 15))
    permit.number = f"JZZ{p.region_path.replace('/', '')[-9:]}{p.pk:08d}"
    if r < 0.33:
        permit.status = PermitStatus.EXPIRED
        permit.expires_on = today - dt.timedelta(days=rng.randint(1, 120))
        permit.closed_on = permit.expires_on
    else:
        permit.status = PermitStatus.ISSUED
        # Renewed each year: the current validity ends within the coming year; a tenth of
        # the issued ones within the next 30 days (the overview's 即将到期).
        ahead = rng.randint(1, 30) if rng.random() < 0.10 else rng.randint(31, 365)
        permit.expires_on = today + dt.timedelta(days=ahead)
    return permit


def _points(
    p: Person,
    rules: list[PointsRule],
    rng: random.Random,
    came: dt.date,
    today: dt.date,
    now: dt.datetime,
) -> list[PointsEntry]:
    out: list[PointsEntry] = []
    positive = [r for r in rules if r.points > 0]
    negative = [r for r in rules if r.points < 0]
    for _i in range(rng.choices([0, 1, 2, 3, 4, 5], [10, 20, 25, 20, 15, 10])[0]):
        rule = rng.choice(
            positive if positive and (not negative or rng.random() > 0.05) else negative or rules
        )
        on = came + dt.timedelta(days=rng.randint(0, max(0, (today - came).days)))
        out.append(
            PointsEntry(
                person=p,
                rule=rule,
                points=rule.points,
                reason=rule.item,
                on=on,
                at=now,
            )
        )
    return out


def _key_persons(
    out: Written,
    persons: list[Person],
    homes: list[GridSpot],
    staff: Staff,
    rng: random.Random,
    today: dt.date,
    now: dt.datetime,
    scale: float,
) -> None:
    """Key persons of every category among present adults, their helpers (the grid's
    worker, the village's grid leader), a year of visit tasks and the visits."""
    categories = list(KeyPersonCategory.objects.filter(is_active=True).order_by("order", "code"))
    if not categories:
        return
    spots = {s.region.pk: s for s in homes}
    wanted = max(len(categories) * 2, round(KEY_PERSONS * scale))
    adults = [
        p
        for p in persons
        if p.status == PersonStatus.PRESENT
        and p.kind != PersonKind.OVERSEAS
        and p.birth_date is not None
        and (today - p.birth_date).days > 16 * 365
    ]
    chosen = rng.sample(adults, k=min(wanted, len(adults)))
    tz = timezone.get_current_timezone()
    first = generate._reserve_ids(KeyPerson, len(chosen))
    kps: list[KeyPerson] = []
    helpers: list[tuple[int, int]] = []
    for i, person in enumerate(chosen):
        category = categories[i % len(categories)]
        since = today - dt.timedelta(days=rng.randint(60, 1000))
        kp = KeyPerson(
            pk=first + i,
            person=person,
            category=category,
            since=since,
            risk_level=rng.choices(RiskLevel.values, [60, 30, 10])[0],
            note=rng.choice(KEY_NOTES),
            status=KeyPersonStatus.ACTIVE,
            sensitivity=category.sensitivity,
            region=person.region,
            region_path=person.region_path,
            created_at=_stamp(since, rng, tz),
            updated_at=now,
        )
        kps.append(kp)
        spot = spots.get(person.region.pk)
        worker = staff.grid_workers.get(spot.code) if spot else None
        leader = staff.grid_leaders.get(spot.code[:12]) if spot else None
        for u in (worker, leader):
            if u is not None:
                helpers.append((kp.pk, u.pk))
    KeyPerson.objects.bulk_create(kps, batch_size=BATCH)
    through = KeyPerson.helpers.through
    through.objects.bulk_create(
        [through(keyperson_id=k, user_id=u) for k, u in helpers], batch_size=BATCH
    )
    tasks: list[VisitTask] = []
    visits: list[KeyPersonVisit] = []
    horizon = today - dt.timedelta(days=365)
    for kp in kps:
        category = kp.category
        spot = spots.get(kp.person.region.pk)
        worker = staff.grid_workers.get(spot.code) if spot else None
        every = category.visit_every_days
        due = max(kp.since, horizon) + dt.timedelta(days=every)
        last_visit: dt.datetime | None = None
        # A tenth of the key persons are visited carelessly: their misses concentrate there.
        careless = rng.random() < 0.15
        while due <= today + dt.timedelta(days=every):
            task = VisitTask(
                key_person=kp,
                assignee=worker,
                opens_on=due - dt.timedelta(days=category.visit_window_days),
                due_on=due,
                region_path=kp.region_path,
                created_at=_stamp(due - dt.timedelta(days=category.visit_window_days), rng, tz),
            )
            if task.opens_on > today:
                break
            miss = rng.random() < (0.35 if careless else 0.05)
            if due >= today:
                # The current task: done early by some, open for the others.
                if rng.random() < 0.4:
                    day = today - dt.timedelta(
                        days=rng.randint(0, max(0, (today - task.opens_on).days))
                    )
                    visit = _visit(kp, worker, _stamp(day, rng, tz), rng)
                    if visit.at <= now:
                        visits.append(visit)
                        task.visit, task.done_at = visit, visit.at
                        last_visit = visit.at
            elif miss:
                task.missed = True
                out.missed += 1
                if (today - due).days > 45:  # done late in the end
                    day = due + dt.timedelta(days=rng.randint(3, 20))
                    visit = _visit(kp, worker, _stamp(day, rng, tz), rng)
                    visits.append(visit)
                    task.visit, task.done_at = visit, visit.at
                    last_visit = visit.at
            else:
                day = due - dt.timedelta(days=rng.randint(0, category.visit_window_days))
                visit = _visit(kp, worker, _stamp(day, rng, tz), rng)
                visits.append(visit)
                task.visit, task.done_at = visit, visit.at
                last_visit = visit.at
            tasks.append(task)
            due += dt.timedelta(days=every)
        kp.last_visit_at = last_visit
    KeyPersonVisit.objects.bulk_create(visits, batch_size=BATCH)
    VisitTask.objects.bulk_create(tasks, batch_size=BATCH)
    KeyPerson.objects.bulk_update(kps, ["last_visit_at"], batch_size=BATCH)
    out.key_persons, out.tasks, out.visits = len(kps), len(tasks), len(visits)


def _visit(kp: KeyPerson, worker: Any, at: dt.datetime, rng: random.Random) -> KeyPersonVisit:
    outcome = rng.choices(VisitOutcome.values, [70, 15, 10, 5])[0]
    return KeyPersonVisit(
        key_person=kp,
        by=worker,
        at=at,
        outcome=outcome,
        note=rng.choice(VISIT_NOTES[VisitOutcome(outcome)]),
        created_at=at,
    )
