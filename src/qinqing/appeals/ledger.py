"""台账导入: an office's existing Excel ledger of appeals, read and checked row by row.

``template()`` is the file to fill in (headers, one example row, a sheet of the allowed values). ``read()`` opens
an uploaded file and checks every row against the registry, the office's departments and the rules of each state,
collecting every problem with its line number in Chinese; ``services.import_ledger`` saves the rows only when
there is none, in one transaction. Reads reference data only (categories, departments in reach, the enterprises
named by their USCC); writes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from stdnum.cn import uscc as stdnum_uscc

from qinqing.appeals.models import Category, Channel, Satisfaction, Status, Urgency
from qinqing.core.errors import InvalidInput
from qinqing.enterprises.models import Enterprise, Industry, Scale
from qinqing.enterprises.validators import normalise_uscc, validate_mobile, validate_uscc
from qinqing.organisation.models import Department, Region
from qinqing.organisation.selectors import departments_in_reach

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
SHEET = "台账"

# (header, key, note for the template's 填写说明)
COLUMNS: list[tuple[str, str, str]] = [
    ("原编号", "original_number", "选填：原台账中的编号，导入后记入办理过程"),
    (
        "企业名称",
        "enterprise_name",
        "企业库中没有该企业时必填（同时填写行业门类、企业规模），导入时登记入企业库",
    ),
    ("统一社会信用代码", "uscc", "必填，18位"),
    ("行业门类", "industry", "新企业必填，见“可选值”"),
    ("企业规模", "scale", "新企业必填：大型、中型、小型、微型"),
    ("标题", "title", "必填，不超过100字"),
    ("诉求内容", "content", "必填"),
    ("类别", "category", "必填，见“可选值”"),
    ("来源渠道", "channel", "必填，见“可选值”"),
    ("紧急程度", "urgency", "选填：一般（默认）、紧急、特急"),
    ("联系人", "contact_name", "不填则用企业的主要联系人；新企业必填"),
    ("联系电话", "contact_mobile", "11位手机号码；不填则用企业的主要联系人；新企业必填"),
    ("状态", "status", "必填：待受理、办理中、已答复、已办结"),
    ("提交时间", "submitted_at", "必填，如 2026-03-05 或 2026-03-05 14:30"),
    ("主办单位", "lead", "办理中、已答复、已办结必填，本区划可分派的部门名称"),
    ("协办单位", "co", "选填，多个用顿号或逗号分隔"),
    ("分派时间", "assigned_at", "办理中、已答复、已办结必填"),
    ("办理时限", "handle_deadline", "选填：办理截止日期；不填按类别的办理时限从分派时起算"),
    ("采取措施", "measures", "已答复、已办结必填"),
    ("办理结果", "result", "已答复、已办结必填"),
    ("答复时间", "replied_at", "已答复、已办结必填"),
    ("满意度", "satisfaction", "已办结选填：满意、基本满意、不满意；不填视为超期未评价自动办结"),
    ("问题是否解决", "resolved", "填写满意度时必填：是、否"),
    ("办结时间", "closed_at", "已办结必填"),
]
HEADERS = [c[0] for c in COLUMNS]
KEYS = [c[1] for c in COLUMNS]
IMPORT_STATUSES = {
    Status.SUBMITTED.label: Status.SUBMITTED,
    Status.IN_PROGRESS.label: Status.IN_PROGRESS,
    Status.REPLIED.label: Status.REPLIED,
    Status.CLOSED.label: Status.CLOSED,
}
ASSIGNED_STATES = (Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED)
REPLIED_STATES = (Status.REPLIED, Status.CLOSED)
YES = {"是", "已解决", "解决"}
NO = {"否", "未解决", "不解决"}
EXAMPLE = {
    "original_number": "TZ2026-001",
    "enterprise_name": "示例机械有限公司",
    "uscc": "",
    "industry": "制造业",
    "scale": "小型",
    "title": "用工短缺，请求组织专场招聘",
    "content": "旺季订单增加，一线操作工缺口约50人，请求协助组织专场招聘。",
    "category": "",
    "channel": Channel.THEME_DAY.label,
    "urgency": Urgency.NORMAL.label,
    "contact_name": "陈经理",
    "contact_mobile": "13800000000",
    "status": Status.CLOSED.label,
    "submitted_at": "2026-03-02 09:30",
    "lead": "",
    "co": "",
    "assigned_at": "2026-03-02 15:00",
    "handle_deadline": "",
    "measures": "联合人力资源市场举办专场招聘会",
    "result": "招聘会达成意向45人，已到岗38人",
    "replied_at": "2026-03-10 16:00",
    "satisfaction": Satisfaction.SATISFIED.label,
    "resolved": "是",
    "closed_at": "2026-03-12 10:00",
}


@dataclass
class LedgerRow:
    line: int
    values: dict[str, object]
    status: str = ""
    enterprise: Enterprise | None = None
    new_enterprise: dict[str, str] | None = None  # name, uscc, industry, scale (registered on import)
    category: Category | None = None
    channel: str = ""
    urgency: str = Urgency.NORMAL
    contact_name: str = ""
    contact_mobile: str = ""
    lead: Department | None = None
    co: list[Department] = field(default_factory=list)
    submitted_at: dt.datetime | None = None
    assigned_at: dt.datetime | None = None
    handle_deadline: dt.datetime | None = None
    replied_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    satisfaction: str = ""
    resolved: bool | None = None

    def text(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


# ---------------------------------------------------------------- the template


def template(region: Region) -> bytes:
    """台账模板: the headers, one example row (with a category and a department of this region), a sheet of the
    allowed values, and a sheet of notes per column."""
    categories = list(Category.objects.filter(active=True).values_list("name", flat=True))
    departments = list(departments_in_reach(region).values_list("name", flat=True))
    example = dict(EXAMPLE)
    example["category"] = categories[0] if categories else ""
    example["lead"] = departments[0] if departments else ""
    body = f"91{region.code[:6]:0<6}MA0000001"  # a well-formed code, so the example row itself imports
    example["uscc"] = body + stdnum_uscc.calc_check_digit(body)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADERS)
    ws.append([example[k] for k in KEYS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, header in enumerate(HEADERS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(header) * 2 + 4)
    ws.freeze_panes = "A2"
    allowed = wb.create_sheet("可选值")
    lists = [
        ("类别", categories),
        ("来源渠道", [label for _, label in Channel.choices]),
        ("状态", list(IMPORT_STATUSES)),
        ("主办单位 / 协办单位", departments),
        ("紧急程度", [label for _, label in Urgency.choices]),
        ("满意度", [label for _, label in Satisfaction.choices]),
        ("问题是否解决", ["是", "否"]),
        ("行业门类", [label for _, label in Industry.choices]),
        ("企业规模", [label for _, label in Scale.choices]),
    ]
    for col, (title, values) in enumerate(lists, start=1):
        allowed.cell(row=1, column=col, value=title).font = Font(bold=True)
        allowed.column_dimensions[get_column_letter(col)].width = 24
        for row, value in enumerate(values, start=2):
            allowed.cell(row=row, column=col, value=value)
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for header, _, note in COLUMNS:
        notes.append([header, note])
    notes.append(
        [
            "",
            "从第2行起每行一件诉求（示例行请删除或改写）；时间可填日期或“日期 时:分”，也可用 Excel 日期格式。",
        ]
    )
    notes.append(["", "整个文件检查无误才会导入；有任何一处错误，所有行都不导入，并列出每一处错误的行号。"])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading a file


def _refuse(message: str, problems: list[str] | None = None) -> InvalidInput:
    return InvalidInput(message, {"file": problems or [message]})


def rows_of(content: bytes) -> list[LedgerRow]:
    """The filled rows of the first sheet, after checking the file is an xlsx with the template's headers."""
    if len(content) > MAX_BYTES:
        raise _refuse(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB 的上限，请拆分后分批导入")
    if not content:
        raise _refuse("文件为空，请选择填好的台账文件")
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _refuse("文件不是有效的 Excel 文件（.xlsx），请用下载的模板填写后上传") from exc
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [str(v).strip() if v is not None else "" for v in next(rows, ())]
        while header and header[-1] == "":
            header.pop()
        if header != HEADERS:
            missing = [h for h in HEADERS if h not in header]
            extra = [h for h in header if h and h not in HEADERS]
            problems = ["第1行：表头与模板不一致，请使用下载的模板"]
            if missing:
                problems.append(f"第1行：缺少列：{'、'.join(missing)}")
            if extra:
                problems.append(f"第1行：模板中没有的列：{'、'.join(extra)}")
            if not missing and not extra:
                problems.append("第1行：列的顺序与模板不一致")
            raise _refuse("表头与模板不一致", problems)
        found: list[LedgerRow] = []
        for line, values in enumerate(rows, start=2):
            cells = list(values)[: len(KEYS)]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue
            if len(found) >= MAX_ROWS:
                raise _refuse(f"一次最多导入 {MAX_ROWS} 行，请拆分后分批导入")
            cells += [None] * (len(KEYS) - len(cells))
            found.append(LedgerRow(line=line, values=dict(zip(KEYS, cells, strict=True))))
    finally:
        wb.close()
    if not found:
        raise _refuse("台账中没有诉求：请从第2行起填写")
    return found


_TEXT_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
)
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:：时](\d{1,2})分?)?$")


def parse_moment(value: object, *, end_of_day: bool = False) -> dt.datetime | None:
    """A cell as a local moment: an Excel date (or its serial number) or text such as 2026-03-05 14:30,
    2026/3/5 or 2026年3月5日. A bare date is the start of that day (the end of it for a deadline)."""
    from qinqing.core import workcalendar

    moment: dt.datetime | None = None
    day: dt.date | None = None
    if isinstance(value, int) and 19000101 <= value <= 29991231:
        value = str(value)  # 20260305 typed into a number cell
    if isinstance(value, dt.datetime):
        moment = value
        if end_of_day and value.time() == dt.time.min:
            day, moment = value.date(), None  # an Excel date cell holds midnight: the deadline is that day
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise ValueError(value)
        converted = from_excel(value)
        moment = converted if isinstance(converted, dt.datetime) else None
        if moment is None:
            raise ValueError(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        match = _CHINESE_DATE.match(text)
        local = timezone.get_current_timezone()
        if match:
            y, m, d, hh, mm = match.groups()
            if hh is None:
                day = dt.date(int(y), int(m), int(d))
            else:
                moment = dt.datetime(int(y), int(m), int(d), int(hh), int(mm), tzinfo=local)
        else:
            for fmt in _TEXT_FORMATS:
                try:
                    parsed = dt.datetime.strptime(text, fmt).replace(tzinfo=local)
                except ValueError:
                    continue
                if "%H" in fmt:
                    moment = parsed
                else:
                    day = parsed.date()
                break
            else:
                raise ValueError(text)
    elif value is None:
        return None
    else:
        raise ValueError(value)
    if day is not None:
        if end_of_day:
            return workcalendar.end_of_day(day)
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    assert moment is not None  # noqa: S101 - every branch above sets a day or a moment
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    return moment


def _by_label(text: str, choices) -> str | None:
    for value, label in choices:
        if text in (label, value):
            return value
    return None


def check(rows: list[LedgerRow], region: Region, now: dt.datetime | None = None) -> list[str]:
    """Every problem of every row, as "第N行：…" in Chinese; fills the rows' resolved fields as it goes."""
    now = now or timezone.now()
    problems: list[str] = []
    categories: dict[str, Category] = {}
    for c in Category.objects.all():
        categories.setdefault(c.name, c)
        categories.setdefault(c.code, c)
    departments: dict[str, list[Department]] = {}
    for d in departments_in_reach(region):
        departments.setdefault(d.name, []).append(d)
    codes = {normalise_uscc(r.text("uscc")) for r in rows}
    known = {
        e.uscc: e
        for e in Enterprise.objects.filter(uscc__in=[c for c in codes if c]).select_related("region")
    }

    for row in rows:
        errors: list[str] = []

        def need(key: str, label: str, row=row, errors=errors) -> str:
            text = row.text(key)
            if not text:
                errors.append(f"请填写{label}")
            return text

        # The enterprise: in the registry (and in reach), or new with what the registry needs.
        code = normalise_uscc(row.text("uscc"))
        if not code:
            errors.append("请填写统一社会信用代码")
        else:
            try:
                validate_uscc(code)
            except ValidationError as exc:
                errors.append(f"统一社会信用代码“{row.text('uscc')}”有误：{exc.messages[0]}")
                code = ""
        if code and code in known:
            ent = known[code]
            if not ent.region.is_within(region):
                errors.append(f"企业“{ent.name}”不在您的管辖区划内")
            else:
                row.enterprise = ent
        elif code:
            name = row.text("enterprise_name")
            industry = _by_label(row.text("industry"), Industry.choices)
            scale = _by_label(row.text("scale"), Scale.choices)
            if not name:
                errors.append("企业库中没有该统一社会信用代码，请填写企业名称（将登记入企业库）")
            elif len(name) > 120:
                errors.append("企业名称不能超过120个字")
            if industry is None:
                errors.append(
                    "新企业请填写行业门类（见“可选值”）"
                    if not row.text("industry")
                    else f"行业门类“{row.text('industry')}”不存在"
                )
            if scale is None:
                errors.append("新企业请填写企业规模：大型、中型、小型或微型")
            if name and industry and scale:
                # The same new enterprise on several rows is registered once (services.import_ledger).
                row.new_enterprise = {"uscc": code, "name": name, "industry": industry, "scale": scale}

        title = need("title", "标题")
        if len(title) > 100:
            errors.append("标题不能超过100个字")
        content = need("content", "诉求内容")
        if len(content) > 5000:
            errors.append("诉求内容不能超过5000个字")
        text = need("category", "类别")
        if text:
            cat = categories.get(text)
            if cat is None:
                errors.append(f"类别“{text}”不存在（见“可选值”）")
            else:
                row.category = cat
        text = need("channel", "来源渠道")
        if text:
            channel = _by_label(text, Channel.choices)
            if channel is None:
                errors.append(f"来源渠道“{text}”不存在（见“可选值”）")
            else:
                row.channel = channel
        text = row.text("urgency")
        if text:
            urgency = _by_label(text, Urgency.choices)
            if urgency is None:
                errors.append(f"紧急程度“{text}”应为一般、紧急或特急")
            else:
                row.urgency = urgency

        # Whom to call: the row's, or the enterprise's primary contact.
        row.contact_name = row.text("contact_name")
        row.contact_mobile = row.text("contact_mobile")
        if len(row.contact_name) > 30:
            errors.append("联系人不能超过30个字")
        if row.contact_mobile:
            try:
                validate_mobile(row.contact_mobile)
            except ValidationError:
                errors.append(f"联系电话“{row.contact_mobile}”应为11位手机号码")
        # (An enterprise refused above has nothing more to say about its contact.)
        if (row.enterprise is not None or (code and code not in known)) and (
            not row.contact_name or not row.contact_mobile
        ):
            if row.enterprise is not None:
                name, mobile = row.enterprise.primary_contact()
                row.contact_name = row.contact_name or name
                row.contact_mobile = row.contact_mobile or mobile
            if not row.contact_name:
                errors.append("请填写联系人（企业没有登记主要联系人）")
            if not row.contact_mobile:
                errors.append("请填写联系电话（企业没有登记主要联系人）")

        # The state, and what each state needs.
        text = need("status", "状态")
        status = IMPORT_STATUSES.get(text) if text else None
        if text and status is None:
            errors.append(f"状态“{text}”不能导入，可导入的状态：{'、'.join(IMPORT_STATUSES)}")
        row.status = status or ""

        def moment(
            key: str, label: str, row=row, errors=errors, *, deadline: bool = False
        ) -> dt.datetime | None:
            try:
                value = parse_moment(row.values.get(key), end_of_day=deadline)
            except (ValueError, OverflowError):
                errors.append(
                    f"{label}“{row.text(key)}”不是有效的日期，请填写如 2026-03-05 或 2026-03-05 14:30"
                )
                return None
            if value is not None and not deadline and value > now:
                errors.append(f"{label}不能晚于现在")
            return value

        row.submitted_at = moment("submitted_at", "提交时间")
        if row.values.get("submitted_at") in (None, ""):
            errors.append("请填写提交时间")
        row.assigned_at = moment("assigned_at", "分派时间")
        row.handle_deadline = moment("handle_deadline", "办理时限", deadline=True)
        row.replied_at = moment("replied_at", "答复时间")
        row.closed_at = moment("closed_at", "办结时间")

        lead_text = row.text("lead")
        co_texts = [t.strip() for t in re.split(r"[、,，;；]", row.text("co")) if t.strip()]
        for dept_text, many in [(lead_text, False), *[(t, True) for t in co_texts]]:
            if not dept_text:
                continue
            matches = departments.get(dept_text, [])
            if not matches:
                errors.append(f"{'协办' if many else '主办'}单位“{dept_text}”不是本区划可分派的部门")
            elif len(matches) > 1:
                errors.append(f"部门名称“{dept_text}”对应多个部门，请联系管理员区分名称")
            elif many:
                row.co.append(matches[0])
            else:
                row.lead = matches[0]

        satisfaction_text = row.text("satisfaction")
        resolved_text = row.text("resolved")
        if status in ASSIGNED_STATES:
            if not lead_text:
                errors.append(f"状态为“{text}”时请填写主办单位")
            if row.values.get("assigned_at") in (None, ""):
                errors.append(f"状态为“{text}”时请填写分派时间")
        elif status == Status.SUBMITTED:
            for key, label in (("lead", "主办单位"), ("co", "协办单位"), ("assigned_at", "分派时间")):
                if row.text(key):
                    errors.append(f"状态为“待受理”时不应填写{label}")
        if status in REPLIED_STATES:
            for key, label in (("measures", "采取措施"), ("result", "办理结果")):
                if not row.text(key):
                    errors.append(f"状态为“{text}”时请填写{label}")
                elif len(row.text(key)) > 5000:
                    errors.append(f"{label}不能超过5000个字")
            if row.values.get("replied_at") in (None, ""):
                errors.append(f"状态为“{text}”时请填写答复时间")
        elif status:
            for key, label in (("measures", "采取措施"), ("result", "办理结果"), ("replied_at", "答复时间")):
                if row.text(key):
                    errors.append(f"状态为“{text}”时不应填写{label}")
        if status == Status.CLOSED:
            if row.values.get("closed_at") in (None, ""):
                errors.append("状态为“已办结”时请填写办结时间")
            if satisfaction_text:
                satisfaction = _by_label(satisfaction_text, Satisfaction.choices)
                if satisfaction is None:
                    errors.append(f"满意度“{satisfaction_text}”应为满意、基本满意或不满意")
                else:
                    row.satisfaction = satisfaction
            if resolved_text in YES:
                row.resolved = True
            elif resolved_text in NO:
                row.resolved = False
            elif resolved_text:
                errors.append(f"问题是否解决“{resolved_text}”应为是或否")
            if bool(satisfaction_text) != bool(resolved_text):
                errors.append("满意度与问题是否解决须同时填写（都不填视为未评价）")
        elif status:
            for key, label in (
                ("satisfaction", "满意度"),
                ("resolved", "问题是否解决"),
                ("closed_at", "办结时间"),
            ):
                if row.text(key):
                    errors.append(f"状态为“{text}”时不应填写{label}")

        # The dates in the order the steps happen.
        order = [
            ("提交时间", row.submitted_at),
            ("分派时间", row.assigned_at),
            ("答复时间", row.replied_at),
            ("办结时间", row.closed_at),
        ]
        present = [(label, m) for label, m in order if m is not None]
        for (a_label, a), (b_label, b) in zip(present, present[1:], strict=False):
            if b < a:
                errors.append(f"{b_label}不能早于{a_label}")
        if row.handle_deadline and row.assigned_at and row.handle_deadline < row.assigned_at:
            errors.append("办理时限不能早于分派时间")

        problems.extend(f"第{row.line}行：{e}" for e in errors)
    return problems
