"""Validation of identity data (R2): resident ID, USCC, phones, bank accounts.

The authorities are GB 11643-1999 (citizen identity number) and GB 32100-2015 (unified social
credit code). python-stdnum is used only for its region table, and not for its verdicts: it ties
region codes to birth years (rejecting real numbers such as 440106 for someone born before 1985),
accepts birth dates in the future and rejects some registration-authority categories. Every
function here returns a result and never raises on any input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import mul

from app.errors import FieldError

# Characters people paste around numbers: ordinary, ideographic and no-break spaces, zero-width
# characters, hyphens and dots used as group separators.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.·]+")


_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # any Unicode decimal digit that is not ASCII


def _ascii_digits(text: str) -> str:
    """Map every Unicode decimal digit (Arabic-Indic, Devanagari, …) to ASCII 0–9."""
    if text.isascii() or _OTHER_DIGIT.search(text) is None:
        return text  # the common case, decided in C (imports normalize millions of cells)
    return "".join(
        str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else c for c in text
    )


def is_digits(text: str) -> bool:
    """True for a non-empty string of ASCII digits only (``str.isdigit`` accepts far more)."""
    return bool(text) and all("0" <= c <= "9" for c in text)


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC), any decimal digit to ASCII, drop invisibles, trim.

    Two spellings of one number must give one blind index, so digits are unified first.
    """
    if text.isascii():  # NFKC leaves ASCII alone and the invisibles are not ASCII
        return text.strip()
    return _ascii_digits(unicodedata.normalize("NFKC", text)).translate(_INVISIBLE).strip()


def compact(text: str) -> str:
    """Normalize and remove every space and group separator."""
    if text.isascii() and text.isalnum():  # nothing to normalize or remove (most numbers)
        return text
    return _SEPARATORS.sub("", normalize(text))


# --- GB 11643-1999 ---------------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_LAST = frozenset("0123456789X")
# Province-level codes that appear on resident IDs but are not mainland provinces in the table:
# 71 台湾, 81 香港, 82 澳门 (residence permits for Hong Kong, Macao and Taiwan residents use
# 810000/820000/830000).
_SPECIAL_REGIONS = {"71": "台湾", "81": "香港", "82": "澳门", "83": "台湾"}


def id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != len(_ID_WEIGHTS):
        raise ValueError("17 digits expected")
    return _ID_CHECK[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


@dataclass(frozen=True)
class ResidentId:
    """A valid 18-digit resident identity number and what it encodes."""

    number: str
    birth_date: date
    gender: str  # "male" | "female"
    province: str
    county: str | None  # None when the 6-digit code is not in the region table (warning)


@lru_cache(maxsize=4096)
def _region(code: str) -> tuple[str | None, str | None]:
    """Return (province, county) names for a 6-digit code, ignoring the years in the table."""
    if code[:2] in _SPECIAL_REGIONS and code[2:] == "0000":
        return _SPECIAL_REGIONS[code[:2]], _SPECIAL_REGIONS[code[:2]]
    try:
        from stdnum import numdb

        parts = numdb.get("cn/loc").info(code)
    except Exception:  # a broken data file must not break validation
        return None, None
    info: dict[str, str] = {}
    for _part, props in parts:
        info.update(props)
    province = info.get("province") or _SPECIAL_REGIONS.get(code[:2])
    county = info.get("county")
    if county:
        county = ",".join(re.sub(r"^\[[^\]]*\]", "", c) for c in county.split(","))
    return province, county


@dataclass(frozen=True)
class Checked:
    """Outcome of one field's validation: a normalized value or an error, plus warnings."""

    value: object | None
    error: FieldError | None = None
    warnings: tuple[FieldError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is no error."""
        return self.error is None


def check_resident_id(text: str, *, today: date, field: str = "id_number") -> Checked:
    """Validate a citizen identity number (GB 11643-1999), one reason per kind of fault.

    ``id_length`` (with the length found), ``id_char`` (the position and the character),
    ``id_region``, ``id_birth_invalid`` (no such date, or before 1880), ``id_birth_future``,
    ``checksum`` (the 18th character); ``id_15_digit`` for the old 15-digit numbers.
    """
    number = compact(text).upper()
    if not number:
        return Checked(None, FieldError(field, "required"))
    if len(number) == 15 and is_digits(number):
        return Checked(None, FieldError(field, "id_15_digit"))
    if len(number) != 18:
        return Checked(None, FieldError(field, "id_length", {"length": len(number)}))
    if not (number.isascii() and number[:17].isdigit() and (number[17] in _ID_LAST)):
        for position, ch in enumerate(number, start=1):
            if not ("0" <= ch <= "9" or (position == 18 and ch == "X")):
                return Checked(None, FieldError(field, "id_char", _char_params(position, ch)))
    province, county = _region(number[:6])
    if province is None:
        return Checked(None, FieldError(field, "id_region"))
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return Checked(None, FieldError(field, "id_birth_invalid"))
    if birth.year < 1880:
        return Checked(None, FieldError(field, "id_birth_invalid"))
    if birth > today:
        return Checked(None, FieldError(field, "id_birth_future"))
    if id_check_character(number[:17]) != number[17]:
        return Checked(None, FieldError(field, "checksum", {"position": 18}))
    gender = "male" if int(number[16]) % 2 == 1 else "female"
    warnings = () if county else (FieldError(field, "id_region_unknown"),)
    return Checked(ResidentId(number, birth, gender, province, county), None, warnings)


def _char_params(position: int, ch: str) -> dict[str, object]:
    """Where a wrong character is, and which (printable characters only; no other digits)."""
    shown = ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
    return {"position": position, "char": shown}


def looks_like_resident_id(text: str) -> bool:
    """True when ``text`` has the shape of a resident ID, a mistyped character or two allowed.

    18 characters, a known region in the first six and digits in nearly all the rest: a
    person's number with a typo (``1101051949I231002X``), not a credit code.
    """
    number = compact(text).upper()
    if len(number) != 18 or not is_digits(number[:6]):
        return False
    others = sum(1 for ch in number[6:17] if not "0" <= ch <= "9")
    return others <= 1 and _region(number[:6])[0] is not None


def is_valid_uscc(text: str) -> bool:
    """True for a unified social credit code that passes GB 32100-2015 in full."""
    return check_uscc(text).ok


def cross_check_identity(
    parsed: ResidentId, *, gender: str | None, birth_date: date | None
) -> list[FieldError]:
    """Errors where what was typed disagrees with what the ID number encodes."""
    errors = []
    if gender and gender != parsed.gender:
        errors.append(FieldError("gender", "id_mismatch"))
    if birth_date and birth_date != parsed.birth_date:
        errors.append(FieldError("birth_date", "id_mismatch"))
    return errors


# --- GB 32100-2015 -------------------------------------------------------------------------
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authority (position 1): 1 机构编制 … 9 工商, A 中央军委改革和编制办公室, N 农业,
# Y 其他. Position 2 is the category within the authority (1–9, some authorities use only a few).
_USCC_AUTHORITIES = set("123456789ANY")


def uscc_check_character(first17: str) -> str:
    """GB 32100-2015 check character."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(text: str, *, field: str = "id_number") -> Checked:
    """Validate a unified social credit code (GB 32100-2015), one reason per kind of fault."""
    code = compact(text).upper()
    if not code:
        return Checked(None, FieldError(field, "required"))
    if len(code) != 18:
        return Checked(None, FieldError(field, "uscc_length", {"length": len(code)}))
    for position, ch in enumerate(code, start=1):
        if ch not in _USCC_ALPHABET:
            return Checked(None, FieldError(field, "uscc_char", _char_params(position, ch)))
    if code[0] not in _USCC_AUTHORITIES or code[1] not in "123456789":
        return Checked(None, FieldError(field, "uscc_authority"))
    for position in range(3, 9):
        if not "0" <= code[position - 1] <= "9":
            return Checked(None, FieldError(field, "uscc_region", {"position": position}))
    if uscc_check_character(code[:17]) != code[17]:
        return Checked(None, FieldError(field, "checksum", {"position": 18}))
    return Checked(code)


# --- phones ---------------------------------------------------------------------------------
# "010-12345678-8001": a land line (area code starting with 0) followed by a dashed extension.
_DASH_EXTENSION = re.compile(r"^(?P<main>\(?0\d{2,3}\)?[\s-]?\d{7,8})-(?P<ext>\d{1,6})$", re.ASCII)
_EXTENSION = re.compile(
    r"^(?P<main>.*?)\s*(?:转|分机|分|ext\.?|x|#)\s*(?P<ext>[0-9]{1,6})\s*$", re.I
)


@dataclass(frozen=True)
class Phone:
    """A phone number in E.164 with an optional extension."""

    e164: str
    extension: str | None
    kind: str  # "mobile" | "fixed"

    @property
    def stored(self) -> str:
        """The form stored and indexed (RFC 3966 style extension)."""
        return f"{self.e164};ext={self.extension}" if self.extension else self.e164


_MOBILE_SHAPE = re.compile(r"^1[1-9]\d{9}$")
_MOBILE_PREFIXES: dict[str, bool] = {}


def _is_cn_mobile(number: str) -> bool:
    """Whether ``number`` (11 digits) is a valid mainland mobile number, as phonenumbers says."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, "CN")
    except Exception:
        return False
    return phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?E\+?\d+$", re.I)
_MASKED = re.compile(r"\*|×|[xX]{3,}")


def check_phone(text: str, *, field: str = "phone") -> Checked:
    """Validate a Chinese mobile or land-line number (other countries with +code).

    One reason per kind of fault: ``phone_scientific`` (Excel showed the number as 1.38E+10
    and the digits are lost), ``phone_masked`` (138****1234), ``phone_letters``,
    ``phone_too_short`` / ``phone_too_long`` (with the digits counted), ``phone_prefix`` (no
    such mobile prefix or area code), ``phone_no_area_code``; ``format`` for anything else.
    """
    if len(text) == 11 and text.isascii() and text.isdigit() and _MOBILE_SHAPE.match(text):
        return _mobile(text, field)  # the common cell: a plain mobile number, no regex needed
    raw = normalize(text)
    if not raw:
        return Checked(None, FieldError(field, "required"))
    if _SCIENTIFIC.match(raw.replace(" ", "")):
        return Checked(None, FieldError(field, "phone_scientific"))
    if _MASKED.search(raw):
        return Checked(None, FieldError(field, "phone_masked"))
    extension = None
    match = _EXTENSION.match(raw) or _DASH_EXTENSION.match(raw)
    if match:
        raw, extension = match.group("main"), match.group("ext")
    compact_raw = _SEPARATORS.sub("", raw)
    if extension is None and _MOBILE_SHAPE.match(compact_raw):
        # An 11-digit number 1[1-9]…: the mainland mobile patterns decide by the first five
        # digits (the rest is \d{6}), so the verdict is kept per prefix (imports check
        # hundreds of thousands of mobiles; phonenumbers costs ~50 µs each).
        return _mobile(compact_raw, field)
    body = compact_raw.removeprefix("+").replace("(", "").replace(")", "")
    if any(ch.isascii() and ch.isalpha() for ch in body):
        return Checked(None, FieldError(field, "phone_letters"))
    if not is_digits(body):
        return Checked(None, FieldError(field, "format", {"expected": _PHONE_EXPECTED}))
    if not compact_raw.startswith(("+", "0")) and body.startswith("1"):
        # a mobile number with digits missing or added
        reason = "phone_too_short" if len(body) < 11 else "phone_too_long"
        if len(body) == 11:
            reason = "phone_prefix"
        params = {"length": len(body), "prefix": body[:3]}
        return Checked(None, FieldError(field, reason, params))
    if not compact_raw.startswith(("+", "0")) and len(body) <= 8:
        reason = "phone_no_area_code" if len(body) >= 7 else "phone_too_short"
        return Checked(None, FieldError(field, reason, {"length": len(body)}))
    if body.startswith("0") and not body.startswith("00"):
        if len(body) < 10:
            return Checked(None, FieldError(field, "phone_too_short", {"length": len(body)}))
        if len(body) > 12:
            return Checked(None, FieldError(field, "phone_too_long", {"length": len(body)}))
    if body.startswith("0") and not body.startswith("00") and not compact_raw.startswith("+"):
        national = body[1:]
        key = (national[:6], len(national))
        valid = _LAND_LINES.get(key)
        if valid is None:
            valid = _LAND_LINES[key] = _check_land_line(raw, body, None, field).ok
        if valid:
            return Checked(Phone("+86" + national, extension, "fixed"))
    return _check_land_line(raw, body, extension, field)


def _mobile(number: str, field: str) -> Checked:
    """An 11-digit number 1[1-9]…, judged by its first five digits (kept per prefix)."""
    prefix = number[:5]
    valid = _MOBILE_PREFIXES.get(prefix)
    if valid is None:
        valid = _MOBILE_PREFIXES[prefix] = _is_cn_mobile(number)
    if not valid:
        return Checked(None, FieldError(field, "phone_prefix", {"prefix": number[:3]}))
    return Checked(Phone("+86" + number, None, "mobile"))


# A mainland land line's validity as the fixed-line patterns decide it: by the area code and
# the first digits of the number, and its length (checked against phonenumbers over 120,000
# random numbers: no (first six digits, length) group has two verdicts).
_LAND_LINES: dict[tuple[str, int], bool] = {}
_PHONE_EXPECTED = "手机号（11 位）或带区号的固定电话，如 010-12345678 转 123"


def _check_land_line(raw: str, body: str, extension: str | None, field: str) -> Checked:
    """A land line (or a number with a country code), through phonenumbers."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(raw, "CN")
    except Exception:
        reason = "phone_prefix" if raw.startswith("+") else "format"
        params = {"expected": _PHONE_EXPECTED, "prefix": body[:3]}
        return Checked(None, FieldError(field, reason, params))
    # number_type is UNKNOWN exactly when is_valid_number is False (same region lookup and
    # pattern match); one call instead of both halves the cost for a large import
    number_type = phonenumbers.number_type(parsed)
    if number_type == phonenumbers.PhoneNumberType.UNKNOWN:
        why = phonenumbers.is_possible_number_with_reason(parsed)
        reasons = phonenumbers.ValidationResult
        reason = {
            reasons.TOO_SHORT: "phone_too_short",
            reasons.INVALID_LENGTH: "phone_too_short",
            reasons.TOO_LONG: "phone_too_long",
            reasons.IS_POSSIBLE_LOCAL_ONLY: "phone_no_area_code",
            reasons.INVALID_COUNTRY_CODE: "phone_prefix",
        }.get(why, "phone_prefix")
        if body.startswith("0") and reason in ("phone_prefix", "phone_too_short"):
            area = body[:3] if body[1] in "12" else body[:4]
            return Checked(None, FieldError(field, "phone_area_code", {"area": area}))
        return Checked(None, FieldError(field, reason, {"length": len(body), "prefix": body[:3]}))
    mobile = number_type in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) and not (parsed.country_code == 86 and not str(parsed.national_number).startswith("1"))
    if mobile and extension:
        return Checked(None, FieldError(field, "extension_on_mobile"))
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Checked(Phone(e164, extension, "mobile" if mobile else "fixed"))


# --- bank accounts --------------------------------------------------------------------------
def luhn_ok(digits: str) -> bool:
    """Return True when ``digits`` passes the Luhn (mod 10) check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def check_bank_account(text: str, *, field: str = "bank_account") -> Checked:
    """12–19 digits; a failed Luhn check is a warning only (many corporate accounts lack it)."""
    digits = compact(text)
    if not digits:
        return Checked(None, FieldError(field, "required"))
    if not is_digits(digits) or not 12 <= len(digits) <= 19:
        return Checked(None, FieldError(field, "format", {"expected": "12–19 位数字的银行账号"}))
    warnings = () if luhn_ok(digits) else (FieldError(field, "luhn"),)
    return Checked(digits, None, warnings)


# --- other identity documents ---------------------------------------------------------------
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
_HK_MACAO = re.compile(
    r"^[HM][0-9]{8}([0-9]{2})?$"
)  # 港澳居民来往内地通行证: H/M + 8 (or 10) digits
_TAIWAN = re.compile(r"^([0-9]{8}|[0-9]{10}|[A-Z][0-9]{8})$")  # 台湾居民来往大陆通行证


def check_document(id_type: str, text: str, *, today: date, field: str = "id_number") -> Checked:
    """Validate an identity document of ``id_type`` (see ``app.domain.customers.IdType``)."""
    if id_type == "resident_id":
        return check_resident_id(text, today=today, field=field)
    if id_type == "uscc":
        return check_uscc(text, field=field)
    value = compact(text).upper()
    if not value:
        return Checked(None, FieldError(field, "required"))
    patterns = {
        "passport": (_PASSPORT, "5–17 位字母或数字的护照号码"),
        "hk_macao_permit": (_HK_MACAO, "H 或 M 开头加 8 位数字的通行证号码"),
        "taiwan_permit": (_TAIWAN, "8 位数字（或 10 位）的台胞证号码"),
    }
    if id_type not in patterns:
        return Checked(None, FieldError("id_type", "required"))
    pattern, expected = patterns[id_type]
    if not pattern.match(value):
        return Checked(None, FieldError(field, "format", {"expected": expected}))
    return Checked(value)


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def check_email(text: str, *, field: str = "email") -> Checked:
    """A plausible e-mail address (one @, a dot in the domain)."""
    value = normalize(text)
    if not value:
        return Checked(None, FieldError(field, "required"))
    if len(value) > 254 or not _EMAIL.match(value):
        return Checked(
            None, FieldError(field, "format", {"expected": "电子邮箱，如 name@example.com"})
        )
    return Checked(value.lower())


# --- region for the statistics (issue 19) ----------------------------------------------------
def region_code(id_type: str | None, number: str | None) -> str | None:
    """The province-level code (two digits) an identity number encodes, or None.

    A resident ID's first six digits and a USCC's characters 3–8 are an administrative
    division (GB/T 2260); only its first two digits are kept, so the statistics can count
    customers by province without holding anything closer to a person.
    """
    if not number:
        return None
    if id_type == "resident_id" and len(number) == 18:
        code = number[:2]
    elif id_type == "uscc" and len(number) == 18:
        code = number[2:4]
    else:
        return None
    return code if code.isdigit() and province_name(code) else None


@lru_cache(maxsize=64)
def province_name(code: str) -> str | None:
    """The province (省级) name of a two-digit code, or None for an unknown code."""
    if code in _SPECIAL_REGIONS:
        return _SPECIAL_REGIONS[code]
    return _region(code + "0000")[0]
