"""The security log's details as the audit administrator reads them: Chinese names for the keys, and for the
fields inside ``changes`` (an account's role and scope, a setting's columns) their verbose names, choice labels
and the names of the rows they point to. One query per kind of row pointed to, for a whole page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from qinqing.audit.models import DETAIL_LABELS, AuditRecord

USER_MODEL = "accounts.User"
VERBS = {"add": "新增", "change": "修改", "delete": "删除"}
FLAGS = {"True": "是", "False": "否"}


def _model_of(record: AuditRecord) -> type[models.Model] | None:
    on_accounts = record.action == AuditRecord.Action.ROLE_CHANGED or record.action.startswith("grant_")
    label = USER_MODEL if on_accounts else record.detail.get("model", "")
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            field = model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        return field if isinstance(field, models.Field) else None
    return None


def names_for(pairs: Iterable[tuple[type[models.Model] | None, dict]]) -> dict:
    """The names of the rows that `changes` dicts (of the given models) point to: one query per related model."""
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for model, changes in pairs:
        for name, pair in changes.items():
            field = _field(model, name)
            if field is not None and field.is_relation and field.related_model is not None:
                wanted[field.related_model].update(str(v) for v in pair if v)
    names: dict[type[models.Model], dict[str, str]] = {}
    for related, pks in wanted.items():
        ok = [pk for pk in pks if pk.isdigit()]
        names[related] = {str(o.pk): str(o) for o in related._default_manager.filter(pk__in=ok)}
    return names


def changes_text(model: type[models.Model] | None, changes: dict, names: dict) -> str:
    """ "角色 部门经办人 → 部门负责人，所属部门 市人社局 → 市自然资源局"."""
    parts = []
    for name, pair in changes.items():
        field = _field(model, name)
        title = str(field.verbose_name) if field is not None else DETAIL_LABELS.get(name, name)
        old, new = (list(pair) + ["", ""])[:2] if isinstance(pair, list | tuple) else ("", pair)
        parts.append(f"{title} {_value(field, old, names)} → {_value(field, new, names)}")
    return "，".join(parts) or "（无）"


def annotate(records: Iterable[AuditRecord]) -> list[AuditRecord]:
    """Give each record ``shown``: [(Chinese key, Chinese value)], resolving the rows its changes point to."""
    records = list(records)
    names = names_for((_model_of(r), _changes(r)) for r in records)
    for r in records:
        r.shown = _shown(r, names)  # type: ignore[attr-defined]
    return records


def _changes(record: AuditRecord) -> dict[str, list[str]]:
    changes = record.detail.get("changes")
    return changes if isinstance(changes, dict) else {}


def _value(field: models.Field | None, value: object, names: dict) -> str:
    text = "" if value is None else str(value)
    if text == "":
        return "（空）"
    if field is None:
        return FLAGS.get(text, text)
    if field.is_relation and field.related_model is not None:
        return names.get(field.related_model, {}).get(text, f"#{text}（已删除）")
    if field.choices:
        return str(dict(field.flatchoices).get(text, text))
    if isinstance(field, models.BooleanField):
        return FLAGS.get(text, text)
    return text


def _shown(record: AuditRecord, names: dict) -> list[tuple[str, str]]:
    model = _model_of(record)
    out = []
    for key, value in record.detail.items():
        label = DETAIL_LABELS.get(key, key)
        if key == "changes" and isinstance(value, dict):
            out.append((label, changes_text(model, value, names)))
        elif key == "model" and isinstance(value, str):
            found = _model_of(record) if record.action != AuditRecord.Action.ROLE_CHANGED else None
            out.append((label, str(found._meta.verbose_name) if found is not None else value))
        elif key == "verb":
            out.append((label, VERBS.get(str(value), str(value))))
        elif key == "created":
            out.append((label, "是" if value else "否"))
        elif isinstance(value, list):
            out.append((label, "、".join(str(v) for v in value) or "（无）"))
        elif isinstance(value, dict):
            out.append((label, "；".join(f"{k}：{v}" for k, v in value.items())))
        else:
            out.append((label, "" if value is None else str(value)))
    return out
