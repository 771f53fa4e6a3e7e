"""Reply quality check: is a department's answer relevant, complete and civil before the enterprise reads it?

A transparent rule score (0-100) rather than a learned one: there are no quality labels to learn from, and a
department head must be able to see why a reply was flagged. Three parts:

* relevance (30): character-bigram cosine between the appeal and the reply (content words only), so a reply that
  copies a template unrelated to the appeal scores low;
* completeness (50): says what was done (措施), what came of it (结果), when (时间安排), whom to call (联系方式) and,
  when it refuses, on what basis (依据);
* tone (20): addresses the person civilly and avoids brush-off phrases (不归我们管, 自行解决, ...).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings

from qinqing.insights import text as pipeline

ACTION = re.compile(
    r"经(核实|调查|查|了解|研究|协调|现场)|核实|核查|调查|查勘|勘查|实地|现场|督促|责令|整改|整治|协调|走访|约谈|"
    r"排查|巡查|检查|执法|处罚|加强|开展|组织|部署|召开|转交|转办|交办|已(安排|联系|派|要求|对|按)"
)
RESULT = re.compile(
    r"已[一-龥]{0,4}(完成|解决|改善|落实|到位|办理|办结|整改|处理|恢复|发放|退还|支付|拨付|开通|修复|清理|拆除|立案|受理)|"
    r"得到(改善|解决|落实|处理)|现已|目前|正在|将(于|在|会)|计划|预计|结果|不予|不符合|不属于|无法|不会|不再"
)
TIME = re.compile(
    r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月(底|初|中旬|上旬|下旬)|年底|月底|\d+\s*个?(工作日|日|天|周|个月)内|近期|下一步"
)
CONTACT = re.compile(r"(联系|咨询|服务)电话|联系人|热线|\d{3,4}[-－]?\d{7,8}|1[3-9]\d{9}|\d{7,8}")
BASIS = re.compile(
    r"《[^》]{2,40}》|依据|根据.{0,20}(规定|条例|办法|政策|文件)|按照.{0,20}(规定|条例|办法|政策)|第.{1,6}条"
)
REFUSAL = re.compile(r"不予|不符合|不属于|无法|不能|不支持|驳回")
CIVIL = re.compile(r"您好|你好|网友|感谢|谢谢|理解|支持|欢迎|致歉|歉意")
BRUSH_OFF = re.compile(
    r"不归我|与我(单位|局|们)无关|自行(解决|协商|处理)|不要再|请勿再|无理|乱反映|别再|不是我们的事"
)


@dataclass
class QualityResult:
    score: int
    relevance: float
    flagged: bool
    reasons: list[str] = field(default_factory=list)
    parts: dict[str, int] = field(default_factory=dict)


def _bigrams(s: str) -> Counter:
    s = pipeline.chars_of(pipeline.analyse(s))
    return Counter(s[i : i + 2] for i in range(len(s) - 1))


def relevance(appeal_text: str, reply: str) -> float:
    a, b = _bigrams(appeal_text), _bigrams(reply)
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def check_reply(appeal_text: str, reply: str, *, threshold: int | None = None) -> QualityResult:
    """Score one reply against its appeal. ``reply`` is the full answer (measures and result together)."""
    threshold = settings.QINQING_REPLY_FLAG_BELOW if threshold is None else threshold
    body = pipeline.normalise(reply)
    reasons: list[str] = []
    parts: dict[str, int] = {}

    rel = relevance(appeal_text, body)
    parts["relevance"] = round(30 * min(1.0, rel / 0.3))
    if rel < 0.1:
        reasons.append("答复与诉求内容关联度低，可能答非所问或套用模板")

    completeness = 0
    if ACTION.search(body):
        completeness += 15
    else:
        reasons.append("未说明采取了哪些措施（如核查、协调、督促）")
    if RESULT.search(body):
        completeness += 15
    else:
        reasons.append("未说明办理结果或问题现状")
    if TIME.search(body):
        completeness += 8
    else:
        reasons.append("未给出办结时间或后续时间安排")
    if CONTACT.search(body):
        completeness += 6
    else:
        reasons.append("未提供联系人或咨询电话")
    refuses = bool(REFUSAL.search(body))
    if BASIS.search(body):
        completeness += 6
    elif refuses:
        reasons.append("不予支持或无法办理，但未说明政策或法律依据")
    else:
        completeness += 3  # a basis is expected only when the answer refuses
    parts["completeness"] = completeness

    tone = 0
    if CIVIL.search(body):
        tone += 10
    else:
        reasons.append("缺少礼貌用语（如“您好”“感谢您的反映”）")
    if BRUSH_OFF.search(body):
        reasons.append("语气生硬或推诿（如“自行解决”“与我单位无关”）")
    else:
        tone += 10
    parts["tone"] = tone

    score = parts["relevance"] + completeness + tone
    if len(body) < 40:
        score = min(score, 40)
        reasons.insert(0, f"答复过短（{len(body)} 字），难以说明办理情况")
    flagged = score < threshold or rel < 0.05
    return QualityResult(score=score, relevance=round(rel, 3), flagged=flagged, reasons=reasons, parts=parts)
