"""Pinyin keys for the index (R14): full pinyin and initials, with 多音字 surnames handled."""

from __future__ import annotations

from functools import cache, lru_cache

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


@cache
def _char_reading(ch: str) -> str:
    """The common reading of one character (cached: a few thousand distinct characters)."""
    from pypinyin import lazy_pinyin

    if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
        return lazy_pinyin(ch)[0].lower()
    return ch.lower()


PHRASE_MIN_LENGTH = 4  # organisation names: phrase readings matter (银行 hang, 重庆 chong)


@lru_cache(maxsize=200_000)
def pinyin_keys(name: str) -> tuple[str, ...]:
    """Return searchable pinyin strings for ``name``: full readings and initials.

    ``张三丰`` gives ``("zhangsanfeng", "zsf")``; a person named ``单雄`` also gets ``shanxiong``
    and ``sx`` beside the dictionary reading. Latin letters and digits are kept as they are.
    Short names (people) are read character by character, which is fast and right for names;
    longer ones (organisations) also get pypinyin's phrase-aware reading.
    """
    text = "".join(name.split())
    if not text:
        return ()
    syllables = [_char_reading(ch) for ch in text]
    readings = [syllables]
    if len(text) >= PHRASE_MIN_LENGTH:
        from pypinyin import lazy_pinyin

        readings.append([part.lower() for part in lazy_pinyin(text)])
    surname = SURNAME_READINGS.get(text[0])
    if surname and syllables[0] != surname:
        readings.append([surname, *syllables[1:]])
    keys: list[str] = []
    for parts in readings:
        for key in ("".join(parts), "".join(p[:1] for p in parts)):
            if key and key not in keys:
                keys.append(key)
    return tuple(keys)
