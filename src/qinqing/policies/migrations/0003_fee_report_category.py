"""The appeal category for reports of anyone asking a fee to obtain a policy (惠企政策收费举报): the notice on every
policy page links to it. Reference data, so it is a migration (every deployment has it), not only the demo seed."""

from django.db import migrations


def forwards(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    Category.objects.get_or_create(code="policy_fee", defaults={"name": "惠企政策收费举报", "sort": 115})


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_redemption"), ("appeals", "0002_reference_data")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
