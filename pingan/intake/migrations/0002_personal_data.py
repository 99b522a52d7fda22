"""Personal data encrypted at rest (pingan.core.pii): the columns become text and the
existing rows are encrypted with the newest key (decrypted again when reversed)."""

import pingan.core.pii
from pingan.core.pii_migrations import encrypting
from django.db import migrations


ENCRYPT_0, DECRYPT_0 = encrypting("intake_externalorder", ("caller_name", "caller_phone"), None)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="externalorder",
            name="caller_name",
            field=pingan.core.pii.EncryptedTextField(blank=True, default="", verbose_name="来电人"),
        ),
        migrations.AlterField(
            model_name="externalorder",
            name="caller_phone",
            field=pingan.core.pii.EncryptedTextField(
                blank=True, default="", verbose_name="来电号码"
            ),
        ),
        migrations.RunPython(ENCRYPT_0, DECRYPT_0),
    ]
