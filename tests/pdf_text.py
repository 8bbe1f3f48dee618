"""The text of a printed PDF, read back with pypdfium2 (tests decode what they print)."""

from __future__ import annotations

import re

import pypdfium2 as pdfium


def page_texts(data: bytes) -> list[str]:
    """Each page's text as pdfium reads it."""
    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def pdf_text(data: bytes) -> str:
    """All pages' text, a line break between pages."""
    return "\n".join(page_texts(data))


def compact(text: str) -> str:
    """``text`` without white space (a printed form breaks lines wherever it must)."""
    return re.sub(r"\s+", "", text)


def compact_pages(data: bytes) -> list[str]:
    """Each page's text without white space."""
    return [compact(text) for text in page_texts(data)]
