"""The text pipeline on awkward input: never a crash, sensible output."""

import pytest

from qinqing.insights import text


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t", "。，！？……——", "!!!???", "😀😡👍", "_x000D_"])
def test_empty_or_symbol_only_input_gives_no_words(value):
    assert text.words(value) == []
    assert text.analyse(value) == ""


def test_full_width_and_traditional_are_folded():
    assert text.normalise("ＡＢＣ１２３　公司") == "ABC123 公司"
    assert "营业执照" in text.words("營業執照辦理太慢")


def test_mixed_scripts_keep_latin_and_chinese_words():
    words = text.words("我公司ERP系统对接电子税务局失败😀，急！Error 502")
    assert "erp" in words and "电子" in " ".join(words) and "error" in words
    assert all(w.strip() for w in words)


def test_domain_dictionary_keeps_terms_whole():
    words = text.words("申请稳岗补贴和不动产登记都要跑很多次")
    assert "稳岗补贴" in words
    assert "不动产登记" in words


def test_stop_words_and_bare_numbers_are_dropped():
    words = text.words("我们的 2024 年社保问题是什么")
    assert "我们" not in words and "的" not in words and "2024" not in words
    assert "社保" in words


def test_very_long_text_is_capped_not_fatal():
    long = "厂区门口道路破损严重，" * 10_000  # 110,000 characters
    words = text.words(long)
    assert 0 < len(words) < 20_000


def test_pre_segmented_tokens_are_filtered_like_raw_text():
    assert text.words_from_tokens("我们 社保 ， 缴费 的 2019") == ["社保", "缴费"]
