"""How old 案卷目录 write what the catalogue stores: 保管期限, 密级 and openness, 起止日期.

Ledgers kept before DA/T 22-2015 write retention as 永/长/短, 长期/短期 or a number of
years; those are mapped to the legal periods (永久, 定期30年, 定期10年) with a warning where
the word did not say which. A 密级 cell may hold an openness marking instead of a level:
公开, 内部 and 非密 are kept apart from each other and from an unmarked volume. A term
written 长期 (``绝密★长期``) becomes the level's legal default term, with a warning.
"""

from __future__ import annotations

import re
from datetime import date

from app.domain.catalogue import (
    DEFAULT_TERM_YEARS,
    RETENTION_LABELS,
    Retention,
    SecrecyLevel,
)
from app.errors import FieldError
from app.imports import cells

_RETENTION_EXACT = {
    "永": Retention.PERMANENT,
    "永久": Retention.PERMANENT,
    "永久保存": Retention.PERMANENT,
    "y": Retention.PERMANENT,
    "30年": Retention.THIRTY_YEARS,
    "定期30年": Retention.THIRTY_YEARS,
    "d30": Retention.THIRTY_YEARS,
    "10年": Retention.TEN_YEARS,
    "定期10年": Retention.TEN_YEARS,
    "d10": Retention.TEN_YEARS,
}
# Words that do not name a legal period: the nearest one, with a warning.
_RETENTION_LEGACY = {
    "长期": Retention.THIRTY_YEARS,
    "长": Retention.THIRTY_YEARS,
    "短期": Retention.TEN_YEARS,
    "短": Retention.TEN_YEARS,
}
_YEARS = re.compile(r"^(?:定期)?(\d{1,3})年?$")

OPENNESS_WORDS = {
    "公开": "public",
    "开放": "public",
    "内部": "internal",
    "内部使用": "internal",
    "控制使用": "internal",
    "非密": "non_secret",
    "无": "non_secret",
    "普通": "non_secret",
    "-": "non_secret",
    "—": "non_secret",
}
LEVEL_WORDS = {
    "秘密": SecrecyLevel.SECRET,
    "机密": SecrecyLevel.CONFIDENTIAL,
    "绝密": SecrecyLevel.TOP_SECRET,
}
_LONG_TERMS = {"长期", "长", "永久"}


def retention_code(text: str, warnings: list[FieldError]) -> str:
    """The retention code (Y/D30/D10) for a ledger's word; ``text`` itself when unknown.

    Unknown words are left for the form's check, which names what it expects.
    """
    word = "".join(text.split()).casefold()
    if not word:
        return ""
    found = _RETENTION_EXACT.get(word)
    if found is not None:
        return found.value
    legacy = _RETENTION_LEGACY.get(word)
    if legacy is None:
        match = _YEARS.match(word)
        if match is None:
            return text
        years = int(match.group(1))
        legacy = (
            Retention.TEN_YEARS
            if years <= 10
            else Retention.THIRTY_YEARS
            if years <= 30
            else Retention.PERMANENT
        )
    warnings.append(
        FieldError(
            "retention", "retention_mapped", {"value": text[:10], "as": RETENTION_LABELS[legacy]}
        )
    )
    return legacy.value


def secrecy_words(
    text: str, warnings: list[FieldError], errors: list[FieldError]
) -> tuple[SecrecyLevel | None, int | None, str | None]:
    """``(level, term, openness)`` of a 密级 cell.

    ``机密``, ``机密★20年``, ``绝密★长期`` (the default term, with a warning), ``公开``.
    """
    word = "".join(text.split())
    if not word:
        return None, None, None
    level_text, star, term_text = word.partition("★")
    term: int | None = None
    if star and term_text:
        if term_text in _LONG_TERMS:
            level = LEVEL_WORDS.get(level_text)
            if level is not None:
                term = DEFAULT_TERM_YEARS[level]
                warnings.append(
                    FieldError(
                        "secrecy_term_years", "term_mapped", {"value": term_text, "years": term}
                    )
                )
        else:
            term, error = cells.as_int(term_text)
            if error:
                errors.append(FieldError("secrecy_term_years", error))
    level = LEVEL_WORDS.get(level_text)
    if level is not None:
        return level, term, None
    openness = OPENNESS_WORDS.get(level_text.casefold())
    if openness is not None:
        return None, None, openness
    errors.append(
        FieldError(
            "secrecy_level",
            "choice",
            {"value": word[:20], "expected": "秘密、机密、绝密、公开、内部、非密"},
        )
    )
    return None, term, None


_RANGE_SPLIT = re.compile(r"\s*(?:--|—|–|~|～|至|到|-(?=\s*\d{4}))\s*")


def date_range(text: str, errors: list[FieldError]) -> tuple[date | None, date | None]:
    """起止日期: ``2019.01.02-2019.12.31``, ``2019-01-02至2019-12-31``, ``2019-2020``, one date."""
    text = text.strip()
    if not text:
        return None, None
    parts = [p for p in _RANGE_SPLIT.split(text, maxsplit=1) if p]
    if not parts:  # a dash or 至 alone: no date in it
        errors.append(FieldError("date_range", "date_format"))
        return None, None
    if len(parts) == 1:  # one year, month or day: from its first to its last day
        parts = [parts[0], parts[0]]
    found: list[date | None] = []
    for n, part in enumerate(parts[:2]):
        if re.fullmatch(r"\d{4}", part):  # a year alone: its first or last day
            year = int(part)
            found.append(date(year, 1, 1) if n == 0 else date(year, 12, 31))
            continue
        if re.fullmatch(r"\d{4}[.年/-]\d{1,2}月?", part):  # a month alone
            y, m = (int(x) for x in re.findall(r"\d+", part))
            if 1 <= m <= 12:
                if n == 0:
                    found.append(date(y, m, 1))
                else:
                    nxt = date(y + (m == 12), m % 12 + 1, 1)
                    found.append(date.fromordinal(nxt.toordinal() - 1))
                continue
        value, error = cells.as_date(part.replace(".", "-"))
        if error or value is None:
            errors.append(FieldError("date_range", "date_format"))
            return None, None
        found.append(value)
    start, end = found[0], found[-1]
    if start and end and end < start:
        errors.append(FieldError("date_range", "range_order"))
        return None, None
    return start, end
