"""`manage.py pii rotate|reindex|check` on stored events."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from pingan.api.tests.helpers import report
from pingan.events.models import Event
from pingan.events.selectors import EventFilters, event_list


def test_rotate_moves_every_row_to_the_new_key(cast, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PINGAN_PII_KEYS = old
    e = report(cast, reporter_name="张三丰", reporter_phone="13812345678", address="海滨路")
    settings.PINGAN_PII_KEYS = f"{new},{old}"
    call_command("pii", "rotate")
    settings.PINGAN_PII_KEYS = new  # the old key retired
    call_command("pii", "check")
    fresh = Event.objects.get(pk=e.pk)
    assert (fresh.reporter_name, fresh.reporter_phone, fresh.address) == (
        "张三丰",
        "13812345678",
        "海滨路",
    )


def test_check_fails_when_a_key_is_missing(cast, settings):
    settings.PINGAN_PII_KEYS = Fernet.generate_key().decode()
    report(cast, reporter_phone="13812345678")
    settings.PINGAN_PII_KEYS = Fernet.generate_key().decode()
    with pytest.raises(CommandError, match="do not decrypt"):
        call_command("pii", "check")


def test_reindex_after_changing_the_index_key(cast, settings):
    e = report(cast, reporter_phone="13812345678")
    settings.PINGAN_PII_INDEX_KEY = "a-new-index-key-for-the-county"
    f = EventFilters(reporter_phone="13812345678")
    assert not list(event_list(user=cast.dispatcher, filters=f))
    call_command("pii", "reindex")
    assert [x.pk for x in event_list(user=cast.dispatcher, filters=f)] == [e.pk]
