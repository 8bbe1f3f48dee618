"""存放位置 as ledgers write it: ``3号库6列B面8节3层``, ``K3-06-B-8-3`` and the like.

:func:`parse_position` reads the text into the segments of the location tree (库房, 列, 面,
节, 层, 位; or 库房, 柜, 节, 层, 位) and :func:`position_code` renders them with the room's
code pattern, so a free-text position finds the place the tree has under that code. A 库房
written as a number (``3号库``) is the room ``K3``; a 柜 written as a number is ``G<n>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain import locations as loc

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(\d+|[零〇一二两三四五六七八九十]+)"
_ROOM = re.compile(rf"(?:K|第)?{_NUM}号?(?:库房|库|室)|(?:库房|库)\s*(?:K)?{_NUM}|\b(K\d+)\b", re.I)
_PARTS = {
    "column": re.compile(rf"第?{_NUM}\s*(?:列|排)"),
    "face": re.compile(r"([AB])\s*面|([左右])\s*面", re.I),
    "section": re.compile(rf"第?{_NUM}\s*节"),
    "layer": re.compile(rf"第?{_NUM}\s*层"),
    "position": re.compile(rf"第?{_NUM}\s*(?:位|格)"),
    "cabinet": re.compile(rf"(?:第?{_NUM}\s*号?\s*(?:柜|保险柜|档案柜))|(?:\b(G\d+)\b)", re.I),
}
_CODE = re.compile(r"^K?(\d+)-(\d+)-([AB])-(\d+)-(\d+)(?:-(\d+))?$", re.I)
_CABINET_CODE = re.compile(r"^K?(\d+)-G(\d+)-(\d+)-(\d+)(?:-(\d+))?$", re.I)


def cn_number(text: str) -> int | None:
    """``6`` → 6, ``六`` → 6, ``十二`` → 12, ``二十`` → 20; None when not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        high = _CN_DIGITS.get(tens, 0) if tens else 1
        low = _CN_DIGITS.get(ones, 0) if ones else 0
        return high * 10 + low
    value = 0
    for c in text:
        value = value * 10 + _CN_DIGITS[c]
    return value


@dataclass(frozen=True)
class ParsedPosition:
    """A position read from text: the tree's segments (``room`` K3, ``column`` 6, …)."""

    segments: dict[str, str]
    cabinet: bool

    @property
    def deepest(self) -> str:
        """The lowest level named (``layer`` or ``position``)."""
        return "position" if "position" in self.segments else "layer"


def _first_number(match: re.Match[str]) -> int | None:
    for group in match.groups():
        if group:
            if group.upper().startswith(("K", "G")):
                return int(group[1:])
            return cn_number(group)
    return None


def parse_position(text: str) -> ParsedPosition | None:
    """The segments of a written position, None when it does not name a 层 in a room."""
    t = text.strip().translate(str.maketrans("－—–　ＡＢＫＧ", "--- ABKG"))
    code = _CODE.match(t.replace(" ", ""))
    if code:
        room, column, face, section, layer, position = code.groups()
        segs: dict[str, str] = {"room": f"K{int(room)}", "column": str(int(column))}
        segs["face"] = face.upper()
        segs |= {"section": str(int(section)), "layer": str(int(layer))}
        if position:
            segs["position"] = str(int(position))
        return ParsedPosition(segs, cabinet=False)
    cab = _CABINET_CODE.match(t.replace(" ", ""))
    if cab:
        room, cabinet, section, layer, position = cab.groups()
        segs = {"room": f"K{int(room)}", "cabinet": f"G{int(cabinet)}"}
        segs |= {"section": str(int(section)), "layer": str(int(layer))}
        if position:
            segs["position"] = str(int(position))
        return ParsedPosition(segs, cabinet=True)
    room_match = _ROOM.search(t)
    if room_match is None:
        return None
    room = _first_number(room_match)
    if room is None:
        return None
    rest = t[: room_match.start()] + " " + t[room_match.end() :]
    segs = {"room": f"K{room}"}
    for name, pattern in _PARTS.items():
        found = pattern.search(rest)
        if found is None:
            continue
        if name == "face":
            letter = found.group(1) or {"左": "A", "右": "B"}[found.group(2)]
            segs["face"] = letter.upper()
            continue
        number = _first_number(found)
        if number is None:
            return None
        segs[name] = f"G{number}" if name == "cabinet" else str(number)
    cabinet = "cabinet" in segs
    needed = ("section", "layer") + (() if cabinet else ("column", "face"))
    if any(k not in segs for k in needed):
        return None
    if cabinet:
        segs.pop("column", None)
        segs.pop("face", None)
    return ParsedPosition(segs, cabinet=cabinet)


def position_code(parsed: ParsedPosition, shelf_pattern: str, cabinet_pattern: str) -> str:
    """The location code of a parsed position under the configured patterns."""
    pattern = cabinet_pattern if parsed.cabinet else shelf_pattern
    return loc.code_for(pattern, parsed.segments, parsed.deepest)
