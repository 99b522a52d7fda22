"""The mediation table itself: complete, consistent and documented."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from pingan.mediation import workflow
from pingan.mediation.choices import Status
from pingan.mediation.models import CommitteeCheck
from pingan.mediation.tests.factories import mediation_cast

DOC = Path(settings.BASE_DIR) / "docs" / "workflow-mediation.md"


def test_docs_workflow_mediation_md_is_generated_from_the_table():
    out = StringIO()
    call_command("workflow_doc", "mediation", stdout=out)
    assert DOC.exists(), "docs/workflow-mediation.md is missing"
    assert DOC.read_text(encoding="utf-8") == out.getvalue(), (
        "docs/workflow-mediation.md is stale (pingan/mediation/workflow.py changed): run "
        "`manage.py workflow_doc mediation > docs/workflow-mediation.md`"
    )


def test_every_state_is_reachable_and_every_open_one_has_a_way_out():
    assert workflow.MEDIATION.reachable_states() == set(Status.values)
    for state in set(Status.values) - workflow.TERMINAL:
        exits = [t for t in workflow.TABLE if state in t.sources and t.target not in (None, state)]
        assert exits, f"state {state} has no transition out of it"
    for t in workflow.TABLE:
        assert not t.sources & workflow.TERMINAL, f"{t.action} fires from a terminal state"


def test_a_new_committee_has_its_five_haves_unchecked(cast):
    med = mediation_cast(cast)
    rows = CommitteeCheck.objects.filter(committee=med.village)
    assert sorted(rows.values_list("item", flat=True)) == sorted(
        ["place", "sign", "seal", "system", "records"]
    )
    assert set(rows.values_list("state", flat=True)) == {"missing"}
