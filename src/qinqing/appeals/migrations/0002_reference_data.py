from django.db import migrations

CATEGORIES = [
    ("land", "用地"),
    ("labour", "用工"),
    ("power", "用电"),
    ("water_gas", "用水用气"),
    ("finance", "融资"),
    ("transport", "交通出行"),
    ("security", "治安"),
    ("network", "通讯网络"),
    ("schooling", "子女入学"),
    ("approval", "审批服务"),
    ("policy", "政策兑现"),
    ("legal", "法律服务"),
    ("ip", "知识产权"),
    ("other", "其他"),
]

# Step defaults (working days) and urgency-specific handling limits; editable in admin afterwards.
LIMITS = [
    ("triage", "", 1),
    ("sign", "", 1),
    ("handle", "", 10),
    ("handle", "urgent", 5),
    ("handle", "critical", 2),
    ("rate", "", 5),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    TimeLimit = apps.get_model("appeals", "TimeLimit")
    for sort, (code, name) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "sort": sort * 10})
    for step, urgency, days in LIMITS:
        TimeLimit.objects.get_or_create(
            step=step, category=None, urgency=urgency, defaults={"working_days": days}
        )
    # Land and approval matters involve several bureaus: 15 working days by default.
    for code in ("land", "approval"):
        TimeLimit.objects.get_or_create(
            step="handle", category=Category.objects.get(code=code), urgency="", defaults={"working_days": 15}
        )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
