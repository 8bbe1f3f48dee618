"""Write resources/pinyin/chars.txt: the common reading of every CJK character pypinyin knows.

Run after upgrading pypinyin: python scripts/make_pinyin_table.py
The app reads this small table instead of importing pypinyin (whose dictionaries take about
57 MiB of memory) just to read names character by character; pypinyin is still used, lazily,
for the phrase readings of organisation names.
"""

from __future__ import annotations

from pathlib import Path

from pypinyin import lazy_pinyin

RANGES = ((0x3400, 0x9FFF), (0xF900, 0xFAFF))
OUT = Path(__file__).resolve().parents[1] / "resources" / "pinyin" / "chars.txt"


def main() -> None:
    lines = []
    for low, high in RANGES:
        for code in range(low, high + 1):
            ch = chr(code)
            reading = lazy_pinyin(ch)[0].lower()
            if reading != ch and reading.isascii() and reading.isalpha():
                lines.append(f"{ch}\t{reading}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    header = "# character<TAB>common reading; made by scripts/make_pinyin_table.py from pypinyin\n"
    OUT.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} characters -> {OUT}")


if __name__ == "__main__":
    main()
