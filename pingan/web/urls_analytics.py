from django.urls import path

from pingan.web.views import (
    briefing,
    dashboard,
    dashboard_leader,
    dashboard_map,
    locks,
    xlsx_export,
)

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/wall/", dashboard.dashboard_wall, name="dashboard_wall"),
    path("dashboard/map.geojson", dashboard_map.dashboard_map, name="dashboard_map"),
    path("dashboard/pins.json", dashboard_map.dashboard_pins, name="dashboard_pins"),
    path("dashboard/extras/", dashboard.dashboard_extras, name="dashboard_extras"),
    path("dashboard/leader/", dashboard_leader.dashboard_leader, name="dashboard_leader"),
    path("dashboard/locks/", locks.period_locks, name="period_locks"),
    path("dashboard/locks/new", locks.period_lock, name="period_lock"),
    path("dashboard/locks/<int:lock_id>/unlock", locks.period_unlock, name="period_unlock"),
    path("briefings/", briefing.briefings_page, name="briefings"),
    path("briefings/<int:briefing_id>/file", briefing.briefing_file, name="briefing_file"),
    path("events/export.xlsx", xlsx_export.events_xlsx, name="event_export_xlsx"),
    path("exports/<int:job_id>/", xlsx_export.export_job, name="export_job"),
    path("exports/<int:job_id>/file", xlsx_export.export_job_file, name="export_job_file"),
]
