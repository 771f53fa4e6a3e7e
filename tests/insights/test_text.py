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


@pytest.mark.parametrize(
    "raw, gone",
    [
        ("厂区门前道路破损。联系人：赵涛刚。", ["赵涛刚", "赵涛"]),
        ("联系人赵涛刚，联系电话13812345678", ["赵涛刚", "赵涛", "联系电话"]),
        ("联系人：李明（行政经理），手机：139 1234 5678", ["李明"]),
        ("请与张先生联系，座机 0571-88001234", ["张先生", "张"]),
        ("王经理说 138****5678 打不通", ["王经理", "经理"]),
        ("负责人：孙平静，邮箱 sun.pj@qc-food.cn", ["孙平静", "平静", "sun", "qc"]),
        ("身份证号 330102199001011234 的申请人周娟", ["周娟"]),
        ("我司位于东湖街道创业路88号3栋501室，门前积水", ["创业路", "栋", "室"]),
        ("地址：青川市滨江路 12 号，厂区停电", ["滨江路"]),
        ("投诉人：何勇勇。园区停电", ["何勇勇", "勇勇"]),
    ],
)
def test_personal_details_never_become_words(raw, gone):
    words = text.words(raw)
    for word in gone:
        assert word not in words, (word, words)


def test_scrubbing_keeps_the_problem_and_its_place():
    assert {"厂区", "门前", "道路", "破损"} <= set(
        text.words("厂区门前道路破损约80米。联系人：赵涛刚，电话13900001111。")
    )
    # a road without a house number is where the problem is, not somebody's address
    assert "凉塘路" in text.words("凉塘路旧城改造进度缓慢")
    # 线路 and 道路 followed by a number are no street addresses; 负责人 followed by a verb is no name
    assert {"线路", "杆"} <= set(text.words("10千伏线路12号杆倒伏"))
    assert "表示同意" in text.words("负责人表示同意该方案")
    assert "总体规划" in text.words("提高总体规划水平")


def test_pre_segmented_tokens_are_scrubbed_too():
    assert text.words_from_tokens("联系人 赵涛刚 厂区 停电 13812345678") == ["厂区", "停电"]
