"""Personal data encrypted at rest (pingan.core.pii): the columns become text and the
existing rows are encrypted with the newest key (decrypted again when reversed)."""

import pingan.core.pii
from pingan.core.pii_migrations import encrypting
from django.db import migrations


ENCRYPT_0, DECRYPT_0 = encrypting("accounts_user", ("phone",), None)
ENCRYPT_1, DECRYPT_1 = encrypting("accounts_totpdevice", ("secret",), None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_mfa_password_age"),
    ]

    operations = [
        migrations.AlterField(
            model_name="totpdevice",
            name="secret",
            field=pingan.core.pii.EncryptedTextField(verbose_name="密钥"),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=pingan.core.pii.EncryptedTextField(blank=True, default="", verbose_name="手机号"),
        ),
        migrations.RunPython(ENCRYPT_0, DECRYPT_0),
        migrations.RunPython(ENCRYPT_1, DECRYPT_1),
    ]
