"""Run by bench/run.py with the helpdesk venv's Python, after `migrate`: one queue, a staff user with a DRF token
(the ticket API is staff-only), and N existing tickets (as many as qinqing's appeals) loaded in bulk. Prints
JSON: {"token", "queue", "tickets"}."""

import datetime as dt
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 0
queue = Queue.objects.create(title="企业诉求", slug="appeals", allow_public_submission=False)
user = get_user_model().objects.create_user(username="bench_staff", password="bench-pass-1", is_staff=True)
token = Token.objects.create(user=user)
now = timezone.now()
batch = []
for i in range(n):
    created = now - dt.timedelta(seconds=(i * 317) % (365 * 86400))
    batch.append(
        Ticket(
            title=f"企业诉求第{i}号：用工与用地问题",
            queue=queue,
            description="企业反映的问题内容，" * 10,
            status=(Ticket.OPEN_STATUS, Ticket.CLOSED_STATUS, Ticket.RESOLVED_STATUS)[i % 3],
            priority=3,
            created=created,
            modified=created,
        )
    )
    if len(batch) == 5000:
        Ticket.objects.bulk_create(batch)
        batch = []
Ticket.objects.bulk_create(batch)
print(json.dumps({"token": token.key, "queue": queue.pk, "tickets": Ticket.objects.count()}))
