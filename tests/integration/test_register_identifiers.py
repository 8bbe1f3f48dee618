"""Identifiers are never broken across lines in the printed registers (issue 21 point 7)."""

from __future__ import annotations

import re

import pypdfium2 as pdfium

from app.printing.loan_forms import render_register
from tests.loan_helpers import january_register

NUMBERS = ("JY2026-0000/01", "JY2026-000123/12")
CODES = ("Z001-KH·2024-Y-BGS-0001", "Z001-KH·2025-D30-BGS-0123")


def _lines(data: bytes) -> list[str]:
    """Every text line pdfium extracts from the pages, as printed (no joining)."""
    pdf = pdfium.PdfDocument(data)
    lines: list[str] = []
    for i in range(len(pdf)):
        text = pdf[i].get_textpage().get_text_range()
        lines += [line.strip() for line in text.replace("\r", "").split("\n")]
    return lines


def test_register_numbers_and_reference_codes_print_whole_on_one_line() -> None:
    row = [""] * 22
    rows = []
    for number, code in zip(NUMBERS, CODES, strict=True):
        cells = list(row)
        cells[0], cells[1], cells[2] = number, "借出", "赵敏"
        cells[6] = f"{code}、{CODES[0]}"  # two volumes in one loan: one code per line
        cells[7] = "张三丰2024年度客户档案（合同、往来函件）"
        cells[10] = "K1-03-A-2-4"
        rows.append(tuple(cells))
    sheet = january_register(rows)
    lines = _lines(render_register(sheet))
    tokens = [t for line in lines for t in re.findall(r"(?:JY2026|Z001|K1-)\S*", line)]
    # every code found whole on its line, and nothing but whole codes (no piece of one)
    assert set(tokens) == {*NUMBERS, *CODES, "K1-03-A-2-4"}
