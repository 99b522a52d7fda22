"""The mediation cast for tests: committees over the shared cast's regions, mediators
with accounts, a case helper. Built through the services."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pingan.mediation.choices import CommitteeKind, CommitteeLevel, MediatorKind
from pingan.mediation.models import MediationCase
from pingan.mediation.services import (
    committee_create,
    mediation_case_create,
    mediation_transition,
    mediator_create,
)
from pingan.org.services import user_upsert

PARTIES = [
    {
        "role": "applicant",
        "name": "王小明",
        "id_number": "11010519491231002X",
        "phone": "13812345678",
        "address": "城东社区海滨路18号3幢",
    },
    {"role": "respondent", "name": "李大华", "phone": "13987654321"},
]


def mediation_cast(cast: Any) -> SimpleNamespace:
    """Committees: 城东社区 (village), 武原街道 (town), the county's joint centre, a
    traffic committee, an administrative and a judicial one; mediators with accounts on
    the village, town and judicial committees, and one on 通元镇's village (a stranger)."""
    m = SimpleNamespace()
    m.village = committee_create(
        name="城东社区人民调解委员会", level=CommitteeLevel.VILLAGE, region=cast.village_a
    )
    m.town = committee_create(
        name="武原街道人民调解委员会", level=CommitteeLevel.TOWN, region=cast.town_a
    )
    m.centre = committee_create(
        name="县矛盾纠纷联合调解中心",
        level=CommitteeLevel.JOINT_CENTRE,
        region=cast.county,
        is_gold_room=True,
    )
    m.traffic = committee_create(
        name="县交通事故纠纷调委会",
        level=CommitteeLevel.PROFESSIONAL,
        kind=CommitteeKind.TRAFFIC,
        region=cast.county,
    )
    m.admin = committee_create(
        name="县市场监管局行政调解室",
        level=CommitteeLevel.COUNTY,
        kind=CommitteeKind.ADMINISTRATIVE,
        region=cast.county,
    )
    m.judicial = committee_create(
        name="县法院诉前调解室",
        level=CommitteeLevel.COUNTY,
        kind=CommitteeKind.JUDICIAL,
        region=cast.county,
    )
    m.other_village = committee_create(
        name="通元村人民调解委员会", level=CommitteeLevel.VILLAGE, region=cast.village_b
    )

    def mediator(username: str, name: str, committee: Any, kind: str = MediatorKind.PEOPLE) -> Any:
        user = user_upsert(username=username, name=name, password=cast.password)
        return mediator_create(
            committee=committee, name=name, kind=kind, user=user, phone="13700001111"
        )

    m.village_mediator = mediator("med-village", "陈调解", m.village)
    m.town_mediator = mediator("med-town", "林调解", m.town)
    m.judge = mediator("med-court", "黄法官", m.judicial, MediatorKind.JUDICIAL)
    m.stranger = mediator("med-b", "何调解", m.other_village)
    m.plain = mediator_create(committee=m.village, name="无账号调解员")
    return m


def new_case(cast: Any, actor: Any = None, **kw: Any) -> MediationCase:
    fields: dict[str, Any] = {
        "summary": "邻里因排水沟堵塞发生纠纷",
        "region": cast.grid_a1.pk,
        "parties": PARTIES,
        "dispute_kind": "neighbour",
    }
    fields.update(kw)
    case, _ = mediation_case_create(actor=actor or cast.dispatcher, **fields)
    return case


def fire(case: MediationCase, user: Any, action: str, **payload: Any) -> MediationCase:
    return mediation_transition(actor=user, case_id=case.pk, action=action, payload=payload)
