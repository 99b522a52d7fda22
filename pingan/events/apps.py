from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pingan.events"
    label = "events"
    verbose_name = "事件"

    def ready(self) -> None:
        # The event as a case kind: registered with the engine (API, workflow_doc, walks).
        from pingan.events import kind  # noqa: F401
