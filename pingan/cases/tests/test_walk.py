"""The permission walk over every registered case kind: for each row of its table, every
role not named in the row is refused (403 when it sees the case, the 404 of "not yours"
otherwise) and nothing is written.

A case kind takes part by being registered; its app supplies `tests/walk.py` with
`people(cast)`, `build(cast)`, `case_for(row, built)`, `payload_for(row)` and
`snapshot(case)` (the event's is the example). A kind without it fails here.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import pytest

from pingan.access.actor import Actor
from pingan.cases.kind import CaseKind, kinds
from pingan.cases.service import transition
from pingan.core.errors import Forbidden, NotFound


def _walk_module(kind: CaseKind[Any]) -> ModuleType:
    app = kind.model._meta.app_config
    assert app is not None
    name = f"{app.name}.tests.walk"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        pytest.fail(f"case kind {kind.name!r} has no {name} for the permission walk")


def test_every_kind_is_walked():
    assert [k.name for k in kinds()], "no case kind registered"
    for kind in kinds():
        _walk_module(kind)


@pytest.mark.parametrize("kind", kinds(), ids=lambda k: k.name)
def test_a_role_not_in_the_row_is_refused(kind: CaseKind[Any], cast: Any) -> None:
    walk = _walk_module(kind)
    people = walk.people(cast)
    built = walk.build(cast)
    before = {case.pk: walk.snapshot(case) for case in built.values()}
    wrong: list[str] = []
    forbidden = 0
    for row in kind.workflow.rows:
        case = walk.case_for(row, built)
        assert kind.state(case) in row.sources
        for role, user in people.items():
            if role in row.roles:
                continue
            actor = Actor.for_user(user)
            sees = kind.model._default_manager.filter(kind.scope_q(actor), pk=case.pk).exists()
            expected = Forbidden if sees else NotFound
            try:
                transition(
                    kind,
                    actor=actor,
                    case_id=case.pk,
                    action=row.action,
                    payload=walk.payload_for(row),
                )
            except expected:
                forbidden += sees
                continue
            except Exception as exc:  # noqa: BLE001 - report every wrong answer at once
                wrong.append(f"{row.action}/{row.variant} as {role}: {type(exc).__name__} {exc}")
            else:
                wrong.append(f"{row.action}/{row.variant} as {role}: allowed")
    assert not wrong, "\n".join(wrong)
    # Most refusals are real 403s by role, not 404s by scope.
    assert forbidden >= len(kind.workflow.rows) * 2
    for case in built.values():
        assert walk.snapshot(case) == before[case.pk]
