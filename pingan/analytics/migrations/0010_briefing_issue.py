"""Issue 18: each briefing gets a 期号 per region and year of issue (「2026年第12期」) and
records its issuing body. Briefings made before keep no number (the fields are empty;
NULLs never clash in the unique constraint)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0009_unresolved"),
        ("geo", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="briefing",
            name="issue_no",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="期号"),
        ),
        migrations.AddField(
            model_name="briefing",
            name="issue_year",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="期号年份"),
        ),
        migrations.AddField(
            model_name="briefing",
            name="issuer",
            field=models.CharField(blank=True, max_length=100, verbose_name="发文单位"),
        ),
        migrations.AddConstraint(
            model_name="briefing",
            constraint=models.UniqueConstraint(
                fields=("region", "issue_year", "issue_no"), name="analytics_briefing_issue"
            ),
        ),
    ]
