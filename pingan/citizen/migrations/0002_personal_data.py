"""Personal data encrypted at rest (pingan.core.pii): the phone becomes text, existing rows
are encrypted with the newest key and get the phone's blind index (decrypted again when
reversed); the per-address throttle key becomes an HMAC."""

from django.db import migrations, models

import pingan.core.pii
from pingan.core.pii_migrations import encrypting


def hash_address_keys(apps, schema_editor):
    """The per-address throttle key becomes an HMAC of what it held (no address in clear).
    Not reversed: the throttle window is one day."""
    from pingan.core import pii

    conn = schema_editor.connection
    with conn.cursor() as cur:
        cur.execute("SELECT id, address_key FROM citizen_citizenreport WHERE address_key <> ''")
        rows = cur.fetchall()
    with conn.cursor() as cur:
        for pk, key in rows:
            cur.execute(
                "UPDATE citizen_citizenreport SET address_key = %s WHERE id = %s",
                [pii.blind_index(key, kind="address"), pk],
            )


ENCRYPT, DECRYPT = encrypting(
    "citizen_citizenreport", ("phone",), {"phone_index": ("phone", "phone")}
)


class Migration(migrations.Migration):
    dependencies = [
        ("citizen", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="citizenreport",
            name="phone_index",
            field=models.CharField(
                blank=True, db_index=True, default="", editable=False, max_length=64
            ),
        ),
        migrations.AlterField(
            model_name="citizenreport",
            name="phone",
            field=pingan.core.pii.EncryptedTextField(verbose_name="手机号"),
        ),
        migrations.RunPython(ENCRYPT, DECRYPT),
        migrations.RunPython(hash_address_keys, migrations.RunPython.noop),
    ]
