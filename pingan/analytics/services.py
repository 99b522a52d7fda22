"""The analytics app's write services, where other apps find them. Each lives in the
module of its job:

- `locks`: period locking (封账): `period_lock`, `period_unlock`, `can_lock`;
- `exports`: .xlsx exports: `events_export`, `events_export_approved`, `export_job_run`,
  `kpis_export`;
- `briefings`: `briefing_render`;
- `rebuild`: `rollup_rebuild` (`manage.py rollup rebuild`); `rollup_events_added` and
  `rollup_days_recount` for events written in bulk (the importer);
- `upkeep`: `rollup_event_written`, the facts and rollups kept current inside the
  transaction that changes an event (the events app's `event_written` signal);
- `facts` / `facts_sql`: how one event counts; `rollups`: the rollup tables, declared once.
"""

from __future__ import annotations

from pingan.analytics.briefings import BRIEFING_FORMATS, briefing_render
from pingan.analytics.exports import (
    events_export,
    events_export_approved,
    export_job_run,
    kpis_export,
)
from pingan.analytics.locks import can_lock, period_lock, period_unlock
from pingan.analytics.rebuild import rollup_days_recount, rollup_events_added, rollup_rebuild
from pingan.analytics.upkeep import rollup_event_written

__all__ = [
    "BRIEFING_FORMATS",
    "briefing_render",
    "can_lock",
    "events_export",
    "events_export_approved",
    "export_job_run",
    "kpis_export",
    "period_lock",
    "period_unlock",
    "rollup_days_recount",
    "rollup_event_written",
    "rollup_events_added",
    "rollup_rebuild",
]
