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
