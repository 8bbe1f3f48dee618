"""Check characters of scannable codes (R24): mis-scans are rejected, never misread."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.scan_codes import (
    CODE_ALPHABET,
    ScanResult,
    best_match,
    check_character,
    loose_key,
    parse_scan,
    read_code,
    scan_form,
    scan_payload,
    spellings,
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


# --- the one input rule (issue 21) ------------------------------------------------------------
def test_a_typed_code_without_check_character_is_read_as_a_code() -> None:
    result, scanned = read_code(" z001-kh·2025-y-0001 ")
    assert result is ScanResult.OK and scanned is not None
    assert scanned.code == "Z001-KH.2025-Y-0001"
    assert scanned.check == "" and scanned.verified


def test_a_typed_code_with_its_check_character_is_read_like_a_scan() -> None:
    payload = scan_payload("H000123")
    assert read_code(payload) == parse_scan(payload)
    assert read_code(payload.lower())[0] is ScanResult.OK


def test_a_wrong_check_character_is_refused_also_when_typed() -> None:
    payload = scan_payload("H000123")
    wrong = "0" if payload[-1] != "0" else "1"
    assert read_code(payload[:-1] + wrong) == (ScanResult.BAD_CHECK, None)
    assert read_code("H000123*")[0] is ScanResult.BAD_CHECK  # a separator but no check
    assert read_code("H000123*AB")[0] is ScanResult.BAD_CHECK


def test_text_that_is_no_code_is_left_to_search() -> None:
    for text in ("张三", "", "   ", "contract", "typed text"):
        assert read_code(text) == (ScanResult.NOT_A_CODE, None), text


def test_a_dash_typed_for_the_middle_dot_leaves_the_check_to_the_stored_code() -> None:
    stored = "Z001-KH·2025-Y-0001"
    check = check_character(stored)
    result, scanned = read_code(f"Z001-KH-2025-Y-0001*{check}")
    assert result is ScanResult.OK and scanned is not None and not scanned.verified
    assert scanned.confirms(stored)
    assert not scanned.confirms("Z001-KH·2025-Y-0002")


def test_middle_dot_dot_and_dash_are_one_separator_when_matching() -> None:
    key = loose_key("Z001-KH·2025-Y-0001")
    assert loose_key("z001-kh.2025-y-0001") == key == loose_key("Z001-KH-2025-Y-0001")
    assert loose_key("Z001－KH．2025-Y-0001") == key  # full-width typing
    assert "Z001-KH·2025-Y-0001" in (spellings("Z001-KH-2025-Y-0001") or [])
    assert "Z001-KH·2025-Y-0001" in (spellings("Z001-KH.2025-Y-0001") or [])
    assert spellings("-" * 7) is None  # too many to spell out: compared loosely instead


def test_the_spelling_typed_wins_over_a_loose_one() -> None:
    stored = ["A-1·2", "A-1-2"]
    assert best_match("A-1-2", stored) == "A-1-2"
    assert best_match("A-1.2", stored) == "A-1·2"
    assert best_match("A.1.2", stored) is None  # equally close: type the separators exactly
    assert best_match("A-1-2", []) is None
