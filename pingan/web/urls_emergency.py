from django.urls import path

from pingan.web.views import emergency

urlpatterns = [
    path("emergency/", emergency.emergency_activations, name="emergency_activations"),
    path("emergency/plans/", emergency.emergency_plans, name="emergency_plans"),
    path("emergency/plans/<int:plan_id>/", emergency.emergency_plan, name="emergency_plan"),
    path(
        "emergency/activations/<int:activation_id>/",
        emergency.emergency_activation,
        name="emergency_activation",
    ),
    path(
        "emergency/activations/<int:activation_id>/live/",
        emergency.emergency_activation_live,
        name="emergency_activation_live",
    ),
    path(
        "emergency/activations/<int:activation_id>/do/<str:action>/",
        emergency.emergency_activation_act,
        name="emergency_activation_act",
    ),
    path(
        "emergency/activations/<int:activation_id>/member/",
        emergency.emergency_member_action,
        name="emergency_member_action",
    ),
    path(
        "emergency/reports/<int:report_id>/photo/",
        emergency.emergency_report_photo,
        name="emergency_report_photo",
    ),
    path("emergency/tasks/", emergency.emergency_my_tasks, name="emergency_my_tasks"),
    path("emergency/drills/", emergency.emergency_drills, name="emergency_drills"),
    path(
        "emergency/drills/<int:drill_id>/record/",
        emergency.emergency_drill_record,
        name="emergency_drill_record",
    ),
    path(
        "events/<int:event_id>/emergency/", emergency.emergency_activate, name="emergency_activate"
    ),
    path(
        "events/<int:event_id>/emergency/banner/",
        emergency.emergency_event_banner,
        name="emergency_event_banner",
    ),
    path("duty/", emergency.duty_roster, name="duty_roster"),
    path("duty/add/", emergency.duty_shift_add, name="duty_shift_add"),
    path("duty/<int:duty_shift_id>/delete/", emergency.duty_shift_remove, name="duty_shift_delete"),
    path("duty/handover/", emergency.duty_handover_add, name="duty_handover_add"),
]
