"""Check characters of scannable codes (R24): mis-scans are rejected, never misread."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.scan_codes import (
    CODE_ALPHABET,
    ScanResult,
    check_character,
    parse_scan,
    scan_form,
    scan_payload,
)

codes = st.text(alphabet=CODE_ALPHABET.strip(), min_size=1, max_size=40).filter(
    lambda s: s.strip() == s and s != ""
)


def test_a_reference_code_with_a_middle_dot_scans_as_ascii() -> None:
    payload = scan_payload("Z001-KH·2025-Y-0001")
    assert payload.startswith("Z001-KH.2025-Y-0001*")
    assert payload.isascii()
    assert parse_scan(payload) == (ScanResult.OK, parse_scan(payload)[1])
    assert parse_scan(payload)[1].code == "Z001-KH.2025-Y-0001"  # type: ignore[union-attr]


def test_lower_case_from_caps_lock_still_reads() -> None:
    payload = scan_payload("K1-03-A-2-4")
    result, scanned = parse_scan(payload.lower() + "  ")
    assert result is ScanResult.OK and scanned is not None and scanned.code == "K1-03-A-2-4"


def test_text_without_separator_is_not_a_code() -> None:
    assert parse_scan("张三") == (ScanResult.NOT_A_CODE, None)


def test_characters_no_scanner_types_are_refused() -> None:
    with pytest.raises(ValueError):
        scan_form("张三-01")
    assert parse_scan("张三*1")[0] is ScanResult.BAD_CHECK


@given(codes, st.data())
def test_every_single_substitution_is_rejected(code: str, data: st.DataObject) -> None:
    payload = scan_payload(code)
    body, check = payload[:-2], payload[-1]
    i = data.draw(st.integers(0, len(body) - 1))
    replacement = data.draw(st.sampled_from([c for c in CODE_ALPHABET if c != body[i]]))
    changed = body[:i] + replacement + body[i + 1 :]
    if changed.strip() != changed:
        return  # outer spaces are trimmed by the reader, a different case
    assert check_character(changed) != check


@given(codes, st.data())
def test_every_swap_of_two_different_characters_is_rejected(code: str, data: st.DataObject) -> None:
    payload = scan_payload(code)
    body, check = payload[:-2], payload[-1]
    if len(body) < 2:
        return
    i = data.draw(st.integers(0, len(body) - 2))
    j = data.draw(st.integers(i + 1, min(len(body) - 1, i + 41)))
    if body[i] == body[j]:
        return
    swapped = list(body)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    text = "".join(swapped)
    if text.strip() != text:
        return
    assert check_character(text) != check


def test_a_wrong_check_character_is_rejected() -> None:
    payload = scan_payload("H000123")
    wrong = "0" if payload[-1] != "0" else "1"
    assert parse_scan(payload[:-1] + wrong) == (ScanResult.BAD_CHECK, None)
