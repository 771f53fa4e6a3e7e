"""Appeal events are the timeline and the audit of every step: on PostgreSQL a trigger refuses UPDATE and DELETE."""

from django.db import migrations

from qinqing.audit.triggers import append_only


class Migration(migrations.Migration):
    dependencies = [("appeals", "0010_extension_lapsed"), ("audit", "0002_append_only_trigger")]
    operations = [append_only("appeals_appealevent")]
