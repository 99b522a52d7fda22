"""Signals the events app sends after commit; higher apps (notifications, analytics)
listen, so events never imports them."""

from django.dispatch import Signal

# kwargs: event_id, action, transition_id, variant (optional)
event_changed = Signal()

# Sent synchronously INSIDE the writing transaction, after the event row is saved (report,
# every transition, deadline marks). kwargs: event (the saved Event), action. Receivers'
# writes commit or roll back with the change (analytics keeps its rollups current here).
event_written = Signal()
