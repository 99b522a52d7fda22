"""Personal data encrypted at rest: plain columns become text, existing rows are
encrypted with the newest key and the phone's blind index is filled; labels added."""

from django.db import migrations, models

import pingan.core.pii

PII_COLUMNS = ("address", "reporter_name", "reporter_phone")


def _convert(apps, schema_editor, forward):
    from pingan.core import pii

    conn = schema_editor.connection
    with conn.cursor() as cur:
        cur.execute("SELECT id, address, reporter_name, reporter_phone FROM events_event")
        rows = cur.fetchall()
    with conn.cursor() as cur:
        for pk, *values in rows:
            values = [v or "" for v in values]
            if forward:
                new = [pii.encrypt(v) for v in values]
                index = pii.blind_index(values[2], kind="phone")
            else:
                new = [pii.decrypt(v) for v in values]
                index = ""
            cur.execute(
                "UPDATE events_event SET address = %s, reporter_name = %s, "
                "reporter_phone = %s, reporter_phone_index = %s WHERE id = %s",
                [*new, index, pk],
            )


def encrypt_rows(apps, schema_editor):
    _convert(apps, schema_editor, True)


def decrypt_rows(apps, schema_editor):
    _convert(apps, schema_editor, False)


def _field(kind, label):
    return kind(blank=True, default="", verbose_name=label)


LABELS = {"address": "地址", "reporter_name": "反映人", "reporter_phone": "反映人电话"}


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="sensitivity",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "无"),
                    ("corrections", "社区矫正"),
                    ("petition", "信访"),
                    ("stability", "维稳"),
                ],
                default="",
                help_text="此类事件上报时带上的敏感标签；只有获得授权的用户能看到",
                max_length=12,
                verbose_name="敏感标签",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="reporter_phone_index",
            field=models.CharField(
                blank=True, db_index=True, default="", editable=False, max_length=64
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="sensitivity",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "无"),
                    ("corrections", "社区矫正"),
                    ("petition", "信访"),
                    ("stability", "维稳"),
                ],
                db_index=True,
                default="",
                max_length=12,
                verbose_name="敏感标签",
            ),
        ),
        *[
            migrations.AlterField(
                model_name="event", name=name, field=_field(models.TextField, LABELS[name])
            )
            for name in PII_COLUMNS
        ],
        migrations.RunPython(encrypt_rows, decrypt_rows),
        *[
            migrations.AlterField(
                model_name="event",
                name=name,
                field=_field(pingan.core.pii.EncryptedTextField, LABELS[name]),
            )
            for name in PII_COLUMNS
        ],
    ]
