"""统一社会信用代码 as lists spell them: full-width characters (Ｍ, ９), lowercase, spaces and hyphens."""

import unicodedata

from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc


def normalise_code(value: str) -> str:
    """NFKC folds full-width letters and digits (and the ideographic space) to ASCII; then python-stdnum's
    compact strips spaces and hyphens and upper-cases."""
    return uscc.compact(unicodedata.normalize("NFKC", value or ""))


def code_error(code: str) -> str | None:
    """Why a normalised code is not a valid 统一社会信用代码, in Chinese; None when it is."""
    if not code:
        return "统一社会信用代码为空"
    try:
        uscc.validate(code)
    except stdnum_errors.InvalidLength:
        return f"统一社会信用代码“{code}”应为18位（现为{len(code)}位）"
    except stdnum_errors.InvalidChecksum:
        return f"统一社会信用代码“{code}”校验位不正确"
    except stdnum_errors.ValidationError:
        return f"统一社会信用代码“{code}”含有不允许的字符"
    return None
