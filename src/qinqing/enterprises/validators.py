import re
import unicodedata

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_uscc(value: str) -> str:
    """Full-width characters (Ｑ, ９, the ideographic space) as typed in Chinese input methods, lowercase and
    spaces: all the spellings a person or a spreadsheet gives, as the one code."""
    return uscc.compact(unicodedata.normalize("NFKC", value or ""))


def validate_uscc(value: str) -> None:
    """统一社会信用代码 (GB 32100-2015), check digit included, via python-stdnum."""
    try:
        uscc.validate(value)
    except stdnum_errors.InvalidLength as exc:
        raise ValidationError("统一社会信用代码应为18位", code="uscc_length") from exc
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError("统一社会信用代码校验位不正确，请核对", code="uscc_checksum") from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError("统一社会信用代码格式不正确", code="uscc_format") from exc


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError("请输入11位手机号码，如 13800000000", code="mobile")


def mask_mobile(value: str) -> str:
    """138****0000: enough to recognise, not enough to harvest."""
    if len(value) == 11:
        return f"{value[:3]}****{value[-4:]}"
    return "****"
