"""Sample 卷内目录 lines shared by the printing tests, bench/bench_printing.py and the screenshots.

Imports nothing of the application beyond the standard library, so a benchmark that times the
first render (ReportLab import, font registration) is not warmed up by importing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def running_pages(sizes: Iterable[int]) -> Iterator[tuple[int, int]]:
    """``(page_from, page_to)`` of items of ``sizes`` pages each, numbered on from page 1."""
    page = 1
    for size in sizes:
        yield page, page + size - 1
        page += size
