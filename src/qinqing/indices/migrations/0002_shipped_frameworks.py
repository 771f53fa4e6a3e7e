"""Load the shipped frameworks (indices/data) on every new database: the national 中国营商环境评价, the Guangdong
2023 provincial index and the World Bank B-READY, with their mappings and the 四个环境 grouping. Later changes to
the files are applied with ``manage.py load_frameworks``."""

from django.db import migrations


def load(apps, schema_editor):
    from qinqing.indices.frameworks import load_shipped

    load_shipped(models=apps)


class Migration(migrations.Migration):
    dependencies = [("indices", "0001_frameworks")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
