"""Personal data encrypted at rest (pingan.core.pii): the columns become text and the
existing rows are encrypted with the newest key (decrypted again when reversed)."""

import pingan.core.pii
from pingan.core.pii_migrations import encrypting
from django.db import migrations


ENCRYPT_0, DECRYPT_0 = encrypting("patrols_patrolvisit", ("target",), None)


class Migration(migrations.Migration):
    dependencies = [
        ("patrols", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="patrolvisit",
            name="target",
            field=pingan.core.pii.EncryptedTextField(verbose_name="走访对象"),
        ),
        migrations.RunPython(ENCRYPT_0, DECRYPT_0),
    ]
