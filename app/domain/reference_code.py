"""档号 patterns (R11): configurable segments and separators, rendered with a zero-padded number.

A pattern is a template such as ``{fonds}-{category}·{year}-{retention}-{number:4}``. Fields:

* ``{fonds}`` 全宗号, ``{category}`` 门类 code, ``{year}`` 年度, ``{retention}`` 保管期限 code
  (Y/D30/D10), ``{org}`` 机构/问题 code;
* ``{number:N}`` 卷号/件号, zero-padded to N digits (1–6), exactly once.

Everything else in the template is a literal separator, so both DA/T 22-2015 and DA/T 13-2022
styles (and a company's own) can be written. The *scope* of a code is the code with its number
left out: numbers count up per scope and are never reused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import FieldError

FIELDS = ("fonds", "category", "year", "retention", "org")
_TOKEN = re.compile(r"\{(\w+)(?::(\d+))?\}")
_SAFE_LITERAL = re.compile(r"[-·./_ ()（）A-Za-z0-9]*")

PRESETS = {
    # 归档文件整理规则 DA/T 22-2015: 全宗号-档案门类代码·年度-保管期限-机构（问题）代码-件号
    "DA/T 22-2015": "{fonds}-{category}·{year}-{retention}-{org}-{number:4}",
    # 档号编制规则 DA/T 13-2022 style for volumes: 全宗号-门类·年度-保管期限-案卷号
    "DA/T 13-2022": "{fonds}-{category}·{year}-{retention}-{number:4}",
}
DEFAULT_PATTERN = PRESETS["DA/T 13-2022"]


@dataclass(frozen=True)
class ReferenceValues:
    """The parts a code is made of (all but the number)."""

    fonds: str
    category: str
    year: int
    retention: str
    org: str = ""

    def as_dict(self) -> dict[str, str]:
        """Field values as text."""
        return {
            "fonds": self.fonds,
            "category": self.category,
            "year": f"{self.year:04d}",
            "retention": self.retention,
            "org": self.org,
        }


def check_pattern(pattern: str, field: str = "reference_pattern") -> list[FieldError]:
    """Errors of a pattern (empty when usable)."""
    expected = "如 {fonds}-{category}·{year}-{retention}-{number:4}"
    tokens = list(_TOKEN.finditer(pattern))
    numbers = [t for t in tokens if t.group(1) == "number"]
    unknown = [t.group(1) for t in tokens if t.group(1) not in (*FIELDS, "number")]
    literals = _TOKEN.sub("", pattern)
    if not pattern.strip():
        return [FieldError(field, "required")]
    if unknown or len(numbers) != 1 or not _SAFE_LITERAL.fullmatch(literals):
        return [FieldError(field, "format", {"expected": expected})]
    width = numbers[0].group(2)
    if width is None or not 1 <= int(width) <= 6:
        return [FieldError(field, "format", {"expected": "{number:N}，N 为 1–6 位"})]
    if "{" in literals or "}" in literals:
        return [FieldError(field, "format", {"expected": expected})]
    return []


def _fill(pattern: str, values: ReferenceValues, number: str) -> str:
    parts = values.as_dict()

    def token(match: re.Match[str]) -> str:
        name = match.group(1)
        return number if name == "number" else parts[name]

    return _TOKEN.sub(token, pattern)


def render(pattern: str, values: ReferenceValues, number: int) -> str:
    """The code for ``number``; the number is zero-padded to the pattern's width."""
    width = next(int(t.group(2) or 1) for t in _TOKEN.finditer(pattern) if t.group(1) == "number")
    if number < 1 or len(str(number)) > width:
        raise ValueError("number out of range for the pattern")
    return _fill(pattern, values, f"{number:0{width}d}")


def scope(pattern: str, values: ReferenceValues) -> str:
    """The code without its number: the unit in which numbers count up."""
    return _fill(pattern, values, "#")


def max_number(pattern: str) -> int:
    """The largest number the pattern can hold."""
    width = next(int(t.group(2) or 1) for t in _TOKEN.finditer(pattern) if t.group(1) == "number")
    return int("9" * width)
