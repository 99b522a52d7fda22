from django.urls import path

from pingan.web.views import auth, construction, inbox, lists, live, workbench

urlpatterns = [
    path("", workbench.workbench, name="workbench"),
    path("workbench/accept/", workbench.bulk_accept, name="bulk_accept"),
    path("workbench/live/", live.live_state, name="live_state"),
    path("login/", auth.login_page, name="login"),
    path("logout/", auth.logout_page, name="logout"),
    path("events/", lists.event_list_page, name="event_list"),
    path("inbox/", inbox.inbox_page, name="inbox"),
    path("inbox/read/", inbox.inbox_mark_read, name="inbox_read"),
    path("construction/", construction.construction_hub, name="construction_hub"),
]
