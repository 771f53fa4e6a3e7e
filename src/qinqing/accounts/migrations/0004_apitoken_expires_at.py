import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_existing_tokens_a_term(apps, schema_editor):
    """Tokens issued before expiry existed get the default term from today rather than living forever."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    term = timezone.now() + dt.timedelta(days=settings.QINQING_API_TOKEN_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=term)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_password_changed_at_passwordhistory")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="到期时间"),
        ),
        migrations.RunPython(give_existing_tokens_a_term, migrations.RunPython.noop),
    ]
