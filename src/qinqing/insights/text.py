"""The Chinese text pipeline every insight reads through: normalise, segment, drop stop words.

Segmentation is jieba with the domain dictionary in ``data/domain_dict.txt`` (government and business terms such as
不动产登记, 稳岗补贴, 首席服务官). Traditional characters are folded to simplified with zhconv (a table lookup, cheap).
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
    return [w.lower() for w in _jieba().lcut(text) if is_content(w)]


def words_from_tokens(tokens: str) -> list[str]:
    """Words of text that arrives already segmented (space-separated), filtered the same way as ``words``."""
    return [w.lower() for w in normalise(tokens).split(" ") if is_content(w)]


def analyse(text: str | None) -> str:
    """The space-joined content words: the stored, vectorisable form of a text."""
    return " ".join(words(text))


def chars_of(analysed: str) -> str:
    """The characters of the content words with no spaces: input for character n-gram features."""
    return analysed.replace(" ", "")
