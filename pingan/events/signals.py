"""Signals the events app sends after commit; higher apps (notifications, analytics)
listen, so events never imports them."""

from django.dispatch import Signal

# kwargs: event_id, action, transition_id, variant (optional)
event_changed = Signal()
