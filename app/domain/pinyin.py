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
def _char_table() -> dict[str, str]:
    """Common reading per CJK character, from ``resources/pinyin/chars.txt``.

    The table is pypinyin's own single-character reading, written out by
    ``scripts/make_pinyin_table.py``; reading it costs about 3 MiB, where importing pypinyin
    costs about 57 MiB. pypinyin itself is still used for phrase readings.
    """
    from app.paths import resources_dir

    table: dict[str, str] = {}
    path = resources_dir() / "pinyin" / "chars.txt"
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith("#") and "\t" in line:
                ch, reading = line.rstrip("\n").split("\t", 1)
                table[ch] = reading
    return table


def _char_reading(ch: str) -> str:
    """The common reading of one character (the character itself when it has none)."""
    return _char_table().get(ch) or ch.lower()


PHRASE_MIN_LENGTH = 4  # organisation names: phrase readings matter (银行 hang, 重庆 chong)


@lru_cache(maxsize=200_000)
def pinyin_readings(name: str) -> tuple[tuple[str, ...], ...]:
    """The readings of ``name`` as syllable lists (one syllable per character).

    Short names (people) are read character by character, which is fast and right for names;
    longer ones (organisations) also get pypinyin's phrase-aware reading; a surname with a
    reading of its own (单 shan, 曾 zeng) adds that reading. Latin letters and digits read as
    themselves, one "syllable" each.
    """
    text = "".join(name.split())
    if not text:
        return ()
    syllables = tuple(_char_reading(ch) for ch in text)
    readings = [syllables]
    if len(text) >= PHRASE_MIN_LENGTH:
        from pypinyin import lazy_pinyin

        readings.append(tuple(part.lower() for part in lazy_pinyin(text)))
    surname = SURNAME_READINGS.get(text[0])
    if surname and syllables[0] != surname:
        readings.append((surname, *syllables[1:]))
    return tuple(dict.fromkeys(readings))


@lru_cache(maxsize=200_000)
def pinyin_keys(name: str) -> tuple[str, ...]:
    """Return searchable pinyin strings for ``name``: full readings and initials.

    ``张三丰`` gives ``("zhangsanfeng", "zsf")``; a person named ``单雄`` also gets ``shanxiong``
    and ``sx`` beside the dictionary reading. Latin letters and digits are kept as they are.
    """
    return reading_keys(pinyin_readings(name))


def reading_keys(readings: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """:func:`pinyin_keys` of readings already made (a bulk index reads each name once)."""
    keys: list[str] = []
    for parts in readings:
        for key in ("".join(parts), "".join(p[:1] for p in parts)):
            if key and key not in keys:
                keys.append(key)
    return tuple(keys)


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def char_readings(text: str) -> list[tuple[str, ...]]:
    """Per character of ``text``, the readings :func:`pinyin_keys` knows it by.

    A Chinese character has its common reading; the first one also its surname reading (单
    shan) and, in names of ``PHRASE_MIN_LENGTH`` or more, each its phrase reading (银行 hang).
    Any other character reads as itself (lower case) and white space as nothing (``""``).
    Used to show which characters of a name a pinyin query matched.
    """
    out: list[list[str]] = [[""] if ch.isspace() else [_char_reading(ch)] for ch in text]

    def add(i: int, reading: str) -> None:
        if reading and reading not in out[i]:
            out[i].append(reading)

    first = next((i for i, ch in enumerate(text) if not ch.isspace()), None)
    if first is not None:
        add(first, SURNAME_READINGS.get(text[first], ""))
    if len("".join(text.split())) >= PHRASE_MIN_LENGTH:
        from pypinyin import lazy_pinyin

        i = 0
        for chunk in lazy_pinyin(text):  # one item per Chinese character, runs of others
            if i < len(text) and _is_han(text[i]):
                add(i, chunk.lower())
                i += 1
            else:
                i += len(chunk)
    return [tuple(r) for r in out]


def title_pinyin(text: str) -> str:
    """Full pinyin and initials of a title, read character by character (no phrase readings).

    Titles are long and many (a million volumes and items); the per-character table keeps
    indexing them fast. Latin letters and digits stay as they are.
    """
    syllables = [_char_reading(ch) for ch in "".join(text.split())]
    if not syllables:
        return ""
    full = "".join(syllables)
    initials = "".join(s[:1] for s in syllables)
    return full if full == initials else f"{full} {initials}"
