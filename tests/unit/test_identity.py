"""Identity validation table (GB 11643-1999, GB 32100-2015, phones, bank accounts), properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.identity import (
    ResidentId,
    check_bank_account,
    check_phone,
    check_resident_id,
    check_uscc,
    compact,
    cross_check_identity,
    id_check_character,
    uscc_check_character,
)

TODAY = date(2026, 11, 23)


def with_check(first17: str) -> str:
    return first17 + id_check_character(first17)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("11010519491231002X", None),  # the standard's worked example
        ("11010519491231002x", None),  # lower-case x
        ("１１０１０５１９４９１２３１００２Ｘ", None),  # full-width, pasted from a document
        (" 110105 19491231 002X ", None),  # grouped with spaces
        ("110105-19491231-002X", None),
        (with_check("44010619740124891"), None),  # 天河区 code (1985) on an older birth date: valid
        (with_check("81000019900101123"), None),  # 香港居民居住证
        (with_check("83000019900101123"), None),  # 台湾居民居住证
        ("110105194912310021", "checksum"),
        (with_check("99010519491231002"), "id_region"),
        (with_check("11010519490230002"), "id_birth_invalid"),  # 30 February
        (with_check("11010520991231002"), "id_birth_future"),  # born in the future
        (with_check("11010518001231002"), "id_birth_invalid"),  # before 1880
        ("110105491231002", "id_15_digit"),
        ("11010519491231002", "id_length"),
        ("1101051949123100XX", "id_char"),
        ("", "required"),
    ],
)
def test_resident_id_table(text: str, reason: str | None) -> None:
    result = check_resident_id(text, today=TODAY)
    if reason is None:
        assert result.ok, result.error
        assert isinstance(result.value, ResidentId)
        assert len(result.value.number) == 18 and result.value.number == compact(text).upper()
    else:
        assert result.error is not None and result.error.reason == reason
        assert result.error.field == "id_number"


def test_resident_id_yields_birth_date_gender_and_region() -> None:
    parsed = check_resident_id("11010519491231002X", today=TODAY).value
    assert isinstance(parsed, ResidentId)
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "female"  # 17th digit 2 is even
    assert parsed.province == "北京市" and parsed.county == "朝阳区"
    assert cross_check_identity(parsed, gender="female", birth_date=date(1949, 12, 31)) == []
    errors = cross_check_identity(parsed, gender="male", birth_date=date(1950, 1, 1))
    assert [(e.field, e.reason) for e in errors] == [
        ("gender", "id_mismatch"),
        ("birth_date", "id_mismatch"),
    ]


def test_unknown_county_in_a_known_province_is_a_warning() -> None:
    result = check_resident_id(with_check("11019919800101123"), today=TODAY)
    assert result.ok and [w.reason for w in result.warnings] == ["id_region_unknown"]


def make_uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("91350100M000100Y43", None),
        ("12100000400000624D", None),
        (
            make_uscc("N2110000MC0000000"),
            None,
        ),  # 农业 authority: stdnum rejects it, GB 32100 allows it
        (make_uscc("Y1110000MC0000000"), None),  # 其他
        (make_uscc("A1110000MC0000000"), None),  # 中央军委改革和编制办公室
        ("９１３５０１００Ｍ０００１００Ｙ４３", None),
        ("91350100M000100Y44", "checksum"),
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M00010OY43", "uscc_char"),  # letter O is not in the alphabet
        (make_uscc("B1110000MC0000000"), "uscc_authority"),
        (make_uscc("90110000MC0000000"), "uscc_authority"),
    ],
)
def test_uscc_table(text: str, reason: str | None) -> None:
    result = check_uscc(text)
    if reason is None:
        assert result.ok, result.error
    else:
        assert result.error is not None and result.error.reason == reason


@pytest.mark.parametrize(
    ("text", "e164", "ext", "kind"),
    [
        ("13812345678", "+8613812345678", None, "mobile"),
        ("138 1234 5678", "+8613812345678", None, "mobile"),
        ("+86 138-1234-5678", "+8613812345678", None, "mobile"),
        ("１３８１２３４５６７８", "+8613812345678", None, "mobile"),
        ("010-12345678", "+861012345678", None, "fixed"),
        ("(021) 6123 4567", "+862161234567", None, "fixed"),
        ("010-12345678转8001", "+861012345678", "8001", "fixed"),
        ("0755-86012345 分机 12", "+8675586012345", "12", "fixed"),
        ("010 12345678 ext. 5", "+861012345678", "5", "fixed"),
        ("010-12345678-8001", "+861012345678", "8001", "fixed"),
    ],
)
def test_phone_numbers_are_normalized_to_e164(
    text: str, e164: str, ext: str | None, kind: str
) -> None:
    result = check_phone(text)
    assert result.ok, result.error
    assert result.value.e164 == e164  # type: ignore[union-attr]
    assert result.value.extension == ext  # type: ignore[union-attr]
    assert result.value.kind == kind  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text", ["1381234567", "23812345678", "abc", "010-123", "13812345678转12", ""]
)
def test_bad_phone_numbers_are_rejected(text: str) -> None:
    result = check_phone(text)
    assert not result.ok and result.error is not None and result.error.field == "phone"


@pytest.mark.parametrize(
    ("text", "ok", "warning"),
    [
        ("6222 0212 3456 7890 129", True, True),  # Luhn fails: warning, still accepted
        ("6222 0212 3456 7890 128", True, False),
        ("4111111111111111", True, False),  # passes Luhn
        ("110 060 149 018 001 234 56", False, False),  # 20 digits
        ("12345678901", False, False),  # 11 digits
        ("6222-0212-3456", True, True),
        ("62220212345A", False, False),
    ],
)
def test_bank_accounts(text: str, ok: bool, warning: bool) -> None:
    result = check_bank_account(text)
    assert result.ok is ok
    assert bool(result.warnings) is warning


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_no_input_makes_a_validator_raise(text: str) -> None:
    for result in (
        check_resident_id(text, today=TODAY),
        check_uscc(text),
        check_phone(text),
        check_bank_account(text),
    ):
        assert (result.value is None) == (result.error is not None)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True))
def test_digit_strings_are_either_valid_ids_or_named_errors(text: str) -> None:
    result = check_resident_id(text, today=TODAY)
    if result.ok:
        assert id_check_character(text[:17]) == text[17]
    else:
        assert result.error is not None
        assert result.error.reason in {
            "checksum",
            "id_region",
            "id_birth_invalid",
            "id_birth_future",
        }


def test_pinyin_keys_cover_full_readings_initials_and_surname_readings() -> None:
    from app.domain.pinyin import pinyin_keys

    assert pinyin_keys("张三丰") == ("zhangsanfeng", "zsf")
    assert {"shanxiongxin", "sxx"} <= set(pinyin_keys("单雄信"))  # 单 as a surname reads shan
    assert {"zengguofan", "zgf"} <= set(pinyin_keys("曾国藩"))
    assert {"chongqingyinhang", "cqyh"} <= set(pinyin_keys("重庆银行"))  # phrase readings
    assert "johnsmith" in pinyin_keys("John Smith")
    assert pinyin_keys("  ") == ()


@pytest.mark.parametrize(
    ("text", "reason", "params"),
    [
        ("11010519491231002", "id_length", {"length": 17}),
        ("1101051949123100212", "id_length", {"length": 19}),
        ("1101051949I231002X", "id_char", {"position": 11, "char": "I"}),
        ("11010519491231002Y", "id_char", {"position": 18, "char": "Y"}),
        ("110105194912310021", "checksum", {"position": 18}),
    ],
)
def test_each_kind_of_id_fault_has_its_own_reason_and_position(
    text: str, reason: str, params: dict[str, object]
) -> None:
    from app.messages import describe_field_error

    result = check_resident_id(text, today=TODAY)
    assert result.error is not None
    assert (result.error.reason, result.error.params) == (reason, params)
    message = describe_field_error(result.error)
    assert "{" not in message and "统一社会信用代码" not in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12345", "phone_too_short"),
        ("1380013800", "phone_too_short"),
        ("138001380001", "phone_too_long"),
        ("12345678901", "phone_prefix"),
        ("10012345678", "phone_prefix"),
        ("138abc12345", "phone_letters"),
        ("电话", "format"),
        ("1.38001E+10", "phone_scientific"),
        ("1.38E10", "phone_scientific"),
        ("138****1234", "phone_masked"),
        ("138＊＊＊＊1234", "phone_masked"),
        ("88881234", "phone_no_area_code"),
        ("010-1234", "phone_too_short"),
        ("0571-123456789012", "phone_too_long"),
        ("0571-8000000", "phone_area_code"),
        ("+999 1234567", "phone_prefix"),
    ],
)
def test_each_kind_of_bad_phone_has_its_own_reason(text: str, reason: str) -> None:
    from app.messages import describe_field_error

    result = check_phone(text)
    assert result.error is not None and result.error.reason == reason, result.error
    assert "{" not in describe_field_error(result.error)


def test_a_person_id_with_one_letter_is_not_taken_for_a_credit_code() -> None:
    from app.domain.identity import is_valid_uscc, looks_like_resident_id

    typo = "1101051949I231002X"
    assert looks_like_resident_id(typo) and not is_valid_uscc(typo)
    assert not looks_like_resident_id("91350100M000100Y43")
    assert is_valid_uscc("91350100M000100Y43")


@settings(max_examples=300, deadline=None)
@given(
    area=st.sampled_from(["10", "21", "22", "311", "571", "755", "898", "999", "335", "400"]),
    subscriber=st.from_regex(r"[0-9]{6,9}", fullmatch=True),
    dash=st.booleans(),
)
def test_land_line_verdicts_kept_per_prefix_agree_with_phonenumbers(
    area: str, subscriber: str, dash: bool
) -> None:
    import phonenumbers

    text = f"0{area}{'-' if dash else ''}{subscriber}"
    result = check_phone(text)
    parsed = phonenumbers.parse(text, "CN")
    valid = phonenumbers.is_valid_number(parsed)
    if 10 <= len(area + subscriber) + 1 <= 12:
        assert result.ok == valid, text
    if result.ok:
        expected = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        assert result.value.e164 == expected  # type: ignore[union-attr]
