"""No English where a user looks: every choice label and help text of the project's models (pages, exports,
the audit page show them), and every name of a model the admin shows and of its fields, is Chinese. Units such
as API, SMS, URL or Excel may appear inside Chinese text; a label with no Chinese character at all fails.
Internal tables no page shows (the dashboard's summaries, sequences) are not the user's business."""

import re

from django.apps import apps
from django.contrib import admin

CJK = re.compile(r"[\u3400-\u9fff]")


def _texts():
    for model in apps.get_models():
        if not model.__module__.startswith("qinqing."):
            continue
        meta = model._meta
        shown = admin.site.is_registered(model)
        if shown:
            yield f"{meta.label} verbose_name", str(meta.verbose_name)
            yield f"{meta.label} verbose_name_plural", str(meta.verbose_name_plural)
        for field in meta.get_fields(include_hidden=False):
            if field.auto_created and not field.concrete:
                continue  # reverse relations: named by the other model
            name = f"{meta.label}.{field.name}"
            if shown and (getattr(field, "editable", False) or getattr(field, "choices", None)):
                if field.name != "id":
                    yield f"{name} verbose_name", str(field.verbose_name)
            if getattr(field, "help_text", ""):
                yield f"{name} help_text", str(field.help_text)
            for value, label in getattr(field, "flatchoices", None) or []:
                if value not in ("", None):
                    yield f"{name} choice {value!r}", str(label)


def test_every_model_label_is_chinese():
    missing = sorted(f"{where}: {text!r}" for where, text in _texts() if not CJK.search(text))
    assert not missing, "English labels:\n" + "\n".join(missing)


def test_api_docs_load_nothing_from_the_internet(db, world):
    """The API docs page serves Swagger UI from django-ninja's bundled static files (ninja is an installed
    app), not from a CDN: a government intranet may not reach one."""
    from django.test import Client

    client = Client()
    client.force_login(world.dispatcher)
    page = client.get("/api/docs")
    assert page.status_code == 200
    body = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets


def test_event_roles_read_in_chinese(db, world):
    """The audit trail of appeals names each actor's role in Chinese, never the code (dispatcher …)."""
    from django.test import Client

    from qinqing.accounts.models import Role
    from qinqing.appeals.models import AppealEvent

    appeal = world.assigned()
    roles = {e.role_label for e in AppealEvent.objects.filter(appeal=appeal)}
    assert roles == {Role.ENTERPRISE.label, Role.DISPATCHER.label}
    client = Client()
    client.force_login(world.auditor)
    page = client.get("/audit/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"<td>{Role.DISPATCHER.label}</td>" in body and "<td>dispatcher</td>" not in body
