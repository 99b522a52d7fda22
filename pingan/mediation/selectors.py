"""Reads on mediation, always through the actor's scope (`permissions`); parties and
mediators' phones masked unless revealed by `services.mediation_parties_reveal`."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from pingan.access.actor import Actor, as_actor
from pingan.core.pii import mask_address, mask_id_number, mask_name, mask_phone
from pingan.mediation.choices import PartyKind
from pingan.mediation.models import (
    Committee,
    CommitteeCheck,
    MediationCase,
    Mediator,
    Party,
)
from pingan.mediation.permissions import access_case, case_scope_q, committee_scope_q


def case_list(
    *,
    actor: Actor | Any,
    status: list[str] | None = None,
    committee: int | None = None,
    mine: bool = False,
) -> QuerySet[MediationCase]:
    """The cases the actor may see, newest first; `mine`: assigned to the actor."""
    actor = as_actor(actor)
    qs = MediationCase.objects.filter(case_scope_q(actor)).select_related(
        "region", "committee", "mediator"
    )
    if status:
        qs = qs.filter(status__in=status)
    if committee is not None:
        qs = qs.filter(committee_id=committee)
    if mine:
        qs = qs.filter(mediator__user=actor.user)
    return qs.order_by("-created_at", "-id")


def case_detail(*, actor: Actor | Any, case_id: int) -> MediationCase:
    """One case with its parties, sessions and timeline; NotFound out of scope."""
    return access_case(actor, case_id)


def committee_list(*, actor: Actor | Any) -> QuerySet[Committee]:
    """Active committees the actor may see, with their 五有 rows and active mediators."""
    return (
        Committee.objects.filter(committee_scope_q(as_actor(actor)), is_active=True)
        .select_related("region", "parent")
        .prefetch_related(
            Prefetch("checks", queryset=CommitteeCheck.objects.order_by("id")),
            Prefetch("mediators", queryset=Mediator.objects.filter(is_active=True)),
        )
        .order_by("region_path", "name")
    )


def party_dict(p: Party, *, reveal: bool = False) -> dict[str, Any]:
    """A party as answers show it: masked (张*, 138****5678, 110105********002X), or in
    full after an audited reveal. An organisation's name is not personal data."""
    person = p.kind == PartyKind.PERSON
    if reveal:
        name, id_number, phone, address = p.name, p.id_number, p.phone, p.address
    else:
        name = mask_name(p.name) if person else p.name
        id_number = mask_id_number(p.id_number) if person else p.id_number
        phone, address = mask_phone(p.phone), mask_address(p.address)
    return {
        "id": p.pk,
        "role": p.role,
        "role_label": p.get_role_display(),
        "kind": p.kind,
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "address": address,
    }


def mediator_dict(m: Mediator) -> dict[str, Any]:
    return {
        "id": m.pk,
        "name": m.name,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "phone": mask_phone(m.phone),
        "has_account": m.user_id is not None,
    }
