"""One input definition per action, read the same way by the page and by the API.

Each action declares its input once, as a ninja ``Schema`` (pydantic). The API receives it as its payload; a
page passes ``request.POST`` through ``parse``. Both refuse the same inputs with the same Chinese messages:
``parse`` raises ``InvalidInput`` with ``{field: [message]}``, and the API's validation handler formats
pydantic's errors with the same ``field_errors``.
"""

import datetime as dt
import re
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, StringConstraints, ValidationInfo
from pydantic import ValidationError as PydanticValidationError

from qinqing.core.errors import InvalidInput

# An appeal's (or clue's) number inside a list input: bounded like every other text an action takes.
Number = Annotated[str, StringConstraints(max_length=30)]

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")


def _day(value: Any) -> Any:
    # pydantic alone reads a number as seconds since 1970: date_to=0 would be 1970-01-01, not a refusal.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("日期格式应为 YYYY-MM-DD")


def _moment(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _MOMENT.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("时间格式应为 YYYY-MM-DD HH:MM")


def _from_json(info: ValidationInfo) -> bool:
    # ninja validates an API request's body with the request in the context; a page's form (parse) has none.
    return isinstance(info.context, dict) and "request" in info.context


def _whole(value: Any, info: ValidationInfo) -> Any:
    # pydantic alone takes true for 1 (and, from JSON, "7" or 7.0 for 7); a form's text is still read as a number.
    if isinstance(value, bool) or (_from_json(info) and not isinstance(value, int)):
        raise ValueError("应为整数")
    return value


def _flag(value: Any, info: ValidationInfo) -> Any:
    # From JSON only true or false (pydantic alone takes 0, 1, "yes", "off"…); a form's checkbox says "on".
    if _from_json(info) and not isinstance(value, bool):
        raise ValueError("应为 true 或 false")
    return value


# A date or a time as the page's inputs and an ISO client write it; anything else is refused.
Day = Annotated[dt.date, BeforeValidator(_day)]
Moment = Annotated[dt.datetime, BeforeValidator(_moment)]
# An integer and a yes/no of an action's input: in an API body of their JSON type, nothing coerced.
Int = Annotated[int, BeforeValidator(_whole)]
Flag = Annotated[bool, BeforeValidator(_flag)]

MESSAGES = {
    "missing": "此项为必填项",
    "string_too_long": "长度不能超过{max_length}个字符",
    "string_too_short": "长度不能少于{min_length}个字符",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "greater_than_equal": "不能小于{ge}",
    "less_than_equal": "不能大于{le}",
    "greater_than": "应大于{gt}",
    "less_than": "应小于{lt}",
    "literal_error": "取值不在允许范围内：{expected}",
    "enum": "取值不在允许范围内：{expected}",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 YYYY-MM-DD HH:MM",
    "datetime_from_date_parsing": "时间格式应为 YYYY-MM-DD HH:MM",
    "datetime_type": "时间格式应为 YYYY-MM-DD HH:MM",
    "list_type": "应为列表",
    "too_long": "最多{max_length}项",
    "too_short": "至少{min_length}项",
    "json_invalid": "请求体不是合法的 JSON",
    "model_attributes_type": "请求体应为 JSON 对象",
    "dict_type": "请求体应为 JSON 对象",
    "string_pattern_mismatch": "格式不正确",
    "value_error": "{error}",
}
# ninja adds the parameter's location and name in front of the field.
_LOCATIONS = {"body", "query", "path", "form", "file", "payload", "filters"}

S = TypeVar("S", bound=BaseModel)


def message(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "string_too_short" and (err.get("ctx") or {}).get("min_length") == 1:
        kind = "missing"  # an empty box is a missing answer, whatever the wire format says
    template = MESSAGES.get(kind)
    if template:
        ctx = dict(err.get("ctx") or {})
        if "error" in ctx:
            # A validator's own ValueError carries its Chinese message.
            ctx["error"] = str(ctx["error"])
        try:
            return template.format(**ctx)
        except (KeyError, IndexError):
            return template.split("{")[0].rstrip("：")
    return "格式不正确"


def field_name(loc) -> str:
    names = [str(p) for p in loc if not isinstance(p, int)]
    names = [n for n in names if n not in _LOCATIONS]
    return ".".join(names) or "请求"


def field_errors(errors) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for err in errors:
        found.setdefault(field_name(err.get("loc", ())), []).append(message(err))
    return found


def _is_list(annotation) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation) if a is not type(None))
    return origin in (list, tuple, set) or annotation in (list, tuple, set)


def _is_text(annotation) -> bool:
    if annotation is str:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return str in typing.get_args(annotation)
    return False


def form_data(schema: type[BaseModel], data: Mapping) -> dict[str, Any]:
    """A form POST (a QueryDict or a plain dict) as the dict the schema reads.

    Repeated fields (``<select multiple>``, checkboxes) become lists; an empty box of a non-text field counts as
    not given, so its default applies or it is reported missing, as an absent JSON key would be.
    """
    out: dict[str, Any] = {}
    for name, field in schema.model_fields.items():
        key = field.alias or name
        if key not in data:
            continue
        if _is_list(field.annotation):
            values = data.getlist(key) if hasattr(data, "getlist") else data[key]
            if isinstance(values, str):
                values = [values]
            out[key] = [v for v in values if v != ""]
            continue
        value = data[key] if not hasattr(data, "getlist") else data.get(key)
        if value == "" and not _is_text(field.annotation):
            continue
        out[key] = value
    return out


def parse(schema: type[S], data: Mapping) -> S:
    """Validate a page's POST with the action's schema; refusals raise ``InvalidInput`` (400) in Chinese."""
    try:
        return schema.model_validate(form_data(schema, data))
    except PydanticValidationError as exc:
        refused = InvalidInput("提交的数据有误，请检查后重试", field_errors(exc.errors()))
        refused.labels = labels(schema)
        raise refused from exc


def labels(schema: type[BaseModel]) -> dict[str, str]:
    """The Chinese names of a schema's fields (their ``title``), for messages a person reads on a page."""
    return {name: f.title for name, f in schema.model_fields.items() if f.title}


def _choices_of(annotation) -> list[tuple[str, str]] | None:
    """Choices a schema field already knows: a TextChoices enum (with its Chinese labels) or a Literal."""
    for a in (annotation, *typing.get_args(annotation)):
        if isinstance(a, type) and hasattr(a, "choices") and hasattr(a, "values"):
            return list(a.choices)
        if typing.get_origin(a) is typing.Literal:
            return [(str(v), str(v)) for v in typing.get_args(a)]
    return None


def fields(
    schema: type[BaseModel],
    *,
    data: Mapping | None = None,
    errors: Mapping[str, list[str]] | None = None,
    choices: Mapping[str, list[tuple]] | None = None,
    textarea: tuple[str, ...] = (),
    only: tuple[str, ...] | None = None,
    hints: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The schema's fields as a page renders them (``templates/core/_fields.html``): label from the field's
    ``title``, required mark, current value, choices, maximum length and the errors the schema or the service
    reported. A page form is drawn from the same definition the API documents, not from a second one."""
    data, errors, choices, hints = data or {}, errors or {}, choices or {}, hints or {}
    out = []
    for name in only or tuple(schema.model_fields):
        f = schema.model_fields[name]
        options = choices.get(name, _choices_of(f.annotation))
        default = None if f.is_required() else f.get_default(call_default_factory=True)
        value = data.get(name, default)
        if hasattr(value, "value"):
            value = value.value
        max_length = next((m.max_length for m in f.metadata if getattr(m, "max_length", None)), None)
        out.append(
            {
                "name": name,
                "label": f.title or name,
                "required": f.is_required(),
                "value": "" if value is None else str(value),
                "choices": [(str(v), label) for v, label in options] if options is not None else None,
                "widget": "select" if options is not None else ("textarea" if name in textarea else "input"),
                "max_length": max_length,
                "errors": list(errors.get(name, [])),
                "hint": hints.get(name, ""),
            }
        )
    return out
