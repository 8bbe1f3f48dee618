"""Pinyin keys for the index (R14): full pinyin and initials, with 多音字 surnames handled."""

from __future__ import annotations

from functools import lru_cache

# Surnames whose reading differs from the character's common reading (单 shan, 曾 zeng, …).
SURNAME_READINGS: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "查": "zha",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "覃": "qin",
    "盖": "ge",
    "乐": "yue",
    "种": "chong",
    "缪": "miao",
    "翟": "zhai",
    "尉": "yu",
    "万": "wan",
    "秘": "bi",
    "任": "ren",
    "华": "hua",
    "纪": "ji",
    "员": "yun",
    "句": "gou",
}


@lru_cache(maxsize=200_000)
def pinyin_keys(name: str) -> tuple[str, ...]:
    """Return searchable pinyin strings for ``name``: full readings and initials.

    ``张三丰`` gives ``("zhangsanfeng", "zsf")``; a person named ``单雄`` also gets ``shanxiong``
    and ``sx`` beside the dictionary reading. Latin letters and digits are kept as they are.
    """
    from pypinyin import Style, lazy_pinyin

    text = name.strip()
    if not text:
        return ()
    readings = [lazy_pinyin(text, errors="default")]
    surname = SURNAME_READINGS.get(text[0])
    if surname and readings[0] and readings[0][0] != surname:
        readings.append([surname, *readings[0][1:]])
    initials = [lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")]
    if surname:
        initials.append([surname[0], *initials[0][1:]])
    keys: list[str] = []
    for parts in readings + initials:
        key = "".join(parts).lower().replace(" ", "")
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)
