from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CoreConfig(AppConfig):
    name = "pingan.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from pingan.core import workcal
        from pingan.core.models import WorkdayOverride

        def _forget(**_: object) -> None:
            workcal.clear_cache()

        # An administrator's change to the calendar applies at once in this process;
        # other processes pick it up within the cache's time to live.
        post_save.connect(_forget, sender=WorkdayOverride, weak=False)
        post_delete.connect(_forget, sender=WorkdayOverride, weak=False)

        from django.contrib.admin.models import LogEntry

        from pingan.core.audit import record_admin_log

        # Every change made in the back office is an audited administrative change.
        post_save.connect(record_admin_log, sender=LogEntry, weak=False,
                          dispatch_uid="pingan.core.admin_log")  # fmt: skip
