"""Personal data of the apps merged after pii: staff phones and TOTP secrets encrypted at
rest, the staff phone masked in the back office, and the migration helper that encrypts
existing rows (and fills their blind index) and decrypts them again when reversed."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.management import call_command
from django.db import connection
from django.test import Client

from pingan.accounts.models import TotpDevice, User
from pingan.accounts.services import totp_enrol_start
from pingan.api.tests.helpers import report
from pingan.core import pii
from pingan.core.pii_migrations import convert
from pingan.events.models import Event

PHONE = "13812345678"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def test_staff_phone_and_totp_secret_are_ciphertext_in_the_database(cast):
    user = cast.dispatcher
    user.phone = PHONE
    user.save()
    device = totp_enrol_start(user=user)
    assert PHONE not in _raw("accounts_user", "phone", user.pk)
    assert device.secret not in _raw("accounts_totpdevice", "secret", device.pk)
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert TotpDevice.objects.get(pk=device.pk).secret == device.secret


def test_the_user_list_of_the_back_office_masks_the_phone(cast):
    cast.dispatcher.phone = PHONE
    cast.dispatcher.save()
    client = Client()
    client.force_login(cast.sysadmin)
    page = client.get("/admin/accounts/user/").content.decode()
    assert "138****5678" in page and PHONE not in page
    # Searching still works on the other columns (the phone column cannot be searched).
    assert client.get("/admin/accounts/user/", {"q": "138"}).status_code == 200


def test_the_migration_helper_encrypts_existing_rows_and_reverses(cast):
    e = report(cast)
    with connection.cursor() as cur:  # a row as it was before the migration: plain text
        cur.execute(
            "UPDATE events_event SET reporter_phone = %s, reporter_phone_index = '' WHERE id = %s",
            [PHONE, e.pk],
        )
    editor = SimpleNamespace(connection=connection)
    spec = {
        "table": "events_event",
        "columns": ("reporter_phone",),
        "indexes": {"reporter_phone_index": ("reporter_phone", "phone")},
    }
    convert(editor, **spec, forward=True)
    assert PHONE not in _raw("events_event", "reporter_phone", e.pk)
    assert Event.objects.get(pk=e.pk).reporter_phone == PHONE
    index = pii.blind_index("138-1234-5678", kind="phone")
    assert list(Event.objects.filter(reporter_phone_index=index)) == [e]
    call_command("pii", "check")  # every encrypted column of every app opens
    convert(editor, **spec, forward=False)
    assert _raw("events_event", "reporter_phone", e.pk) == PHONE
    assert _raw("events_event", "reporter_phone_index", e.pk) == ""
