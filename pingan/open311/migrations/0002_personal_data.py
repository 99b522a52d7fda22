"""Personal data encrypted at rest (pingan.core.pii): the columns become text and the
existing rows are encrypted with the newest key (decrypted again when reversed)."""

import pingan.core.pii
from pingan.core.pii_migrations import encrypting
from django.db import migrations


ENCRYPT_0, DECRYPT_0 = encrypting(
    "open311_open311request", ("email", "first_name", "last_name", "phone"), None
)


class Migration(migrations.Migration):
    dependencies = [
        ("open311", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="open311request",
            name="email",
            field=pingan.core.pii.EncryptedTextField(blank=True, default="", verbose_name="邮箱"),
        ),
        migrations.AlterField(
            model_name="open311request",
            name="first_name",
            field=pingan.core.pii.EncryptedTextField(blank=True, default="", verbose_name="名"),
        ),
        migrations.AlterField(
            model_name="open311request",
            name="last_name",
            field=pingan.core.pii.EncryptedTextField(blank=True, default="", verbose_name="姓"),
        ),
        migrations.AlterField(
            model_name="open311request",
            name="phone",
            field=pingan.core.pii.EncryptedTextField(blank=True, default="", verbose_name="电话"),
        ),
        migrations.RunPython(ENCRYPT_0, DECRYPT_0),
    ]
