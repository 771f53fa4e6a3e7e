import datetime as dt

from django.db import migrations, models


def backfill(apps, schema_editor):
    """The signing deadline of an appeal's latest (re)assignment, as its event recorded it."""
    Appeal = apps.get_model("appeals", "Appeal")
    AppealEvent = apps.get_model("appeals", "AppealEvent")
    events = (
        AppealEvent.objects.filter(kind__in=["assigned", "reassigned"], appeal__assigned_at__isnull=False)
        .order_by("appeal_id", "created_at", "id")
        .values_list("appeal_id", "data")
    )
    latest: dict[int, str] = {}
    for appeal_id, data in events.iterator(chunk_size=5000):
        if isinstance(data, dict) and data.get("sign_deadline"):
            latest[appeal_id] = data["sign_deadline"]
    batch = []
    for appeal_id, value in latest.items():
        try:
            moment = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            continue
        batch.append(Appeal(pk=appeal_id, sign_deadline=moment))
        if len(batch) >= 2000:
            Appeal.objects.bulk_update(batch, ["sign_deadline"])
            batch = []
    if batch:
        Appeal.objects.bulk_update(batch, ["sign_deadline"])


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0016_event_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="sign_deadline",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="签收时限"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
