"""The Chinese text pipeline every insight reads through: normalise, segment, drop stop words.

Segmentation is jieba with the domain dictionary in ``data/domain_dict.txt`` (government and business terms such as
不动产登记, 稳岗补贴, 首席服务官). Traditional characters are folded to simplified with zhconv (a table lookup, cheap).
Before segmenting, ``scrub`` blanks personal details: phone and ID numbers, e-mail addresses, the value after a
联系人/联系电话/地址 label, a surname with 先生/女士/经理, and street addresses with a house number (…路88号3栋501室), so
that no keyword and no similarity between appeals rests on a contact's name, number or address.
Nothing here raises on odd input: empty text, emoji, mixed scripts or only punctuation give an empty or short result;
over-long text is cut at ``MAX_CHARS`` so one pasted book cannot stall a request.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba
import zhconv

DATA = Path(__file__).parent / "data"
MAX_CHARS = 20_000

# Excel's escaped carriage return, seen in exported government data, and any run of whitespace.
_EXCEL_CR = re.compile(r"_x000[dD]_")
_SPACE = re.compile(r"\s+")
# A token made only of punctuation, symbols or underscores (emoji are symbols too).
_NOT_WORD = re.compile(r"^[\W_]+$", re.UNICODE)
_DIGITS = re.compile(r"^[\d.,%:：/-]+$")

# ---------------------------------------------------------------- personal details (scrub)

_CJK = r"\u4e00-\u9fff"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧"
)
_PERSONAL = [
    # A labelled name: 联系人：赵涛刚 / 联系人赵涛刚 / 负责人：王某（经理）. With a colon, the value runs to the next
    # punctuation; without one, only a 2-4 character name that ends where the text stops being a name.
    rf"(?:联系人|负责人|经办人|法定代表人|法人代表|申请人|投诉人|反映人|举报人|来电人|来信人|姓名)"
    rf"(?:[:：]\s*[^，。；;,.！!？?\n（(）)]{{1,20}}|\s*[{_CJK}]{{2,4}}?(?=[^{_CJK}]|$|电话|手机|联系|先生|女士))",
    # A labelled number or account: 联系电话：0571-8800 1234, 手机 138…, 微信：abc_123, 邮箱 a@b.cn.
    r"(?:联系电话|联系方式|电话号码|电话|手机号码|手机号|手机|座机|传真|微信号|微信|qq号|qq|邮箱|电子邮箱|身份证号码|身份证号)"
    r"[:：]?\s*[0-9a-z+*#()\[\]@._\- ]{5,40}",
    # A labelled address: 地址：东城区创业路 88 号（value to the next punctuation).
    r"(?:联系地址|通讯地址|家庭住址|居住地址|住址|地址|住所)[:：]\s*[^，。；;！!？?\n]{1,40}",
    # Phone numbers: mobiles (also masked 138****5678), landlines with area code, 400/800 numbers.
    r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9][- ]?(?:[0-9]{4}|\*{4})[- ]?[0-9]{4}(?![0-9])",
    r"(?<![0-9])0[1-9][0-9]{1,2}[- ]?[0-9]{7,8}(?![0-9])",
    r"(?<![0-9])[48]00[- ]?[0-9]{3}[- ]?[0-9]{4}(?![0-9])",
    # Resident ID numbers and e-mail addresses.
    r"(?<![0-9])[1-9][0-9]{16}[0-9x](?![0-9a-z])",
    r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}",
    # A surname with a form of address: 张先生, 李女士, 王经理 (not 总: 高总体 is no person).
    rf"(?<![{_CJK}])[{_SURNAMES}][{_CJK}]?(?:先生|女士|小姐|经理|师傅)",
    rf"[{_SURNAMES}](?:先生|女士|小姐)",
    # A street address with a house number: 创业路88号, 人民东路 12 号 3 栋 2 单元 501 室, 12弄3号 (线路/道路/铁路 are
    # no street names). The road alone stays: 凉塘路 in a complaint is the place of the problem, not a person's address.
    rf"(?:[{_CJK}]{{2,3}}(?:省|市|区|县|镇|乡|街道))*[{_CJK}]{{0,4}}(?<![线电道铁水])(?:路|街|大道|巷|弄)\s*[0-9]+\s*(?:号|弄)"
    r"(?:\s*(?:[0-9]+|[a-z])\s*(?:号楼|栋|幢|座|单元|楼|层|室|号))*",
    r"(?<![0-9])[0-9]+\s*(?:号楼|栋|幢)\s*(?:[0-9]+\s*(?:单元|楼|层|室|号)\s*)*",
]
_PERSONAL_RE = re.compile("|".join(f"(?:{p})" for p in _PERSONAL), re.IGNORECASE)


def scrub(text: str) -> str:
    """The text with personal details (names after a label, phone and ID numbers, e-mails, addresses) blanked."""
    return _PERSONAL_RE.sub(" ", text)


_init_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def normalise(text: str | None) -> str:
    """Full-width to half-width (NFKC), traditional to simplified, whitespace collapsed, length capped."""
    if not text:
        return ""
    text = str(text)[:MAX_CHARS]
    text = _EXCEL_CR.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    text = zhconv.convert(text, "zh-cn")
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words = (DATA / "stopwords.txt").read_text(encoding="utf-8").split()
    return frozenset(words)


def _jieba() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _init_lock:
            if _tokenizer is None:
                tok = jieba.Tokenizer()
                jieba.setLogLevel(60)
                tok.initialize()
                tok.load_userdict(str(DATA / "domain_dict.txt"))
                _tokenizer = tok
    return _tokenizer


def is_content(word: str) -> bool:
    return (
        bool(word.strip())
        and not _NOT_WORD.match(word)
        and not _DIGITS.match(word)
        and word not in stopwords()
    )


def words(text: str | None, *, normalised: bool = False) -> list[str]:
    """Content words of a text: segmented, lower-cased Latin, without stop words, punctuation or bare numbers."""
    if not normalised:
        text = normalise(text)
    if not text:
        return []
    return [w.lower() for w in _jieba().lcut(scrub(text)) if is_content(w)]


def words_from_tokens(tokens: str) -> list[str]:
    """Words of text that arrives already segmented (space-separated), filtered the same way as ``words``."""
    return [w.lower() for w in scrub(normalise(tokens)).split(" ") if is_content(w)]


def analyse(text: str | None) -> str:
    """The space-joined content words: the stored, vectorisable form of a text."""
    return " ".join(words(text))


def chars_of(analysed: str) -> str:
    """The characters of the content words with no spaces: input for character n-gram features."""
    return analysed.replace(" ", "")
