from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "pingan.triage"
    label = "triage"
    verbose_name = "智能分拨"

    def ready(self) -> None:
        from pingan.events import workflow
        from pingan.events.signals import event_changed
        from pingan.triage.receivers import on_event_changed

        # Labels of the timeline lines triage and the importer write.
        workflow.ACTION_LABELS.setdefault("risk_alert", "风险预警")
        workflow.ACTION_LABELS.setdefault("imported", "历史导入")
        event_changed.connect(on_event_changed, dispatch_uid="triage.on_event_changed")
