"""Per-character readings used to highlight pinyin hits."""

from __future__ import annotations

from app.domain.pinyin import char_readings, pinyin_keys


def test_each_character_has_the_readings_the_index_uses() -> None:
    assert char_readings("张三") == [("zhang",), ("san",)]
    assert char_readings("单雄") == [("dan", "shan"), ("xiong",)]  # surname reading too
    banks = char_readings("中国工商银行")
    assert banks[5] == ("xing", "hang") and "zhongguogongshangyinhang" in pinyin_keys(
        "中国工商银行"
    )
    assert char_readings("上海 AB") == [("shang",), ("hai",), ("",), ("a",), ("b",)]
    assert char_readings("") == []


def test_titles_are_read_character_by_character_with_initials() -> None:
    from app.domain.pinyin import title_pinyin

    assert title_pinyin("华信律师事务所") == "huaxinlvshishiwusuo hxlssws"
    assert title_pinyin("2024年度 ABC") == "2024nianduabc 2024ndabc"  # digits, Latin as they are
    assert title_pinyin("") == ""
