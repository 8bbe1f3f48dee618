"""The ``import`` command: a ledger imported from a script, by the wizard's code.

``archive-room import --db PATH --user NAME [--password-file F] --kind customers|volumes|loans
[--mapping auto|FILE.json] [--encoding E] [--dry-run] [--report OUT.json] LEDGER``

The header and the columns are guessed as in the wizard unless a mapping file is given;
each duplicate group is settled as the wizard proposes it when nobody chooses (the first row
of an ID number or 档号 imported and flagged, the others skipped; rows sharing a phone or bank
account all imported and flagged); the valid rows are imported and the rejected rows listed.
The counts are printed and, with ``--report``, written as JSON: ``total`` (the non-blank rows
read below the header), ``valid`` (imported, or with ``--dry-run`` importable; flagged rows
included), ``rejected``, ``flagged``, ``skipped`` (the
reader's skipped rows — totals, sign-off lines, repeated headers — and rows skipped by a
duplicate's default), so total = valid + rejected + skipped, and one entry per row (``row``:
the sheet or file line, ``status``, ``reasons`` and ``warnings`` codes). ``--encoding`` reads a
CSV file with that encoding instead of the detected one. The report holds codes and line
numbers, never a value of the ledger (personal data).

Exit 0 when the import ran (rows may have been rejected), 1 when the file cannot be read, the
mapping is unusable or the sign-in is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_OK, EXIT_PROBLEM, _location, _password
from app.clock import SystemClock
from app.errors import AppError
from app.messages import describe

KINDS = ("customers", "volumes", "loans")


def add_import_parser(sub: Any) -> None:
    """The ``import`` sub-command's arguments."""
    cmd = sub.add_parser(
        "import", help="导入台账（客户、案卷目录或借阅登记簿），与导入向导使用同一套检查"
    )
    cmd.add_argument("--db", required=True, metavar="PATH|URL", help="要导入的数据库")
    cmd.add_argument("--user", required=True, metavar="NAME", help="执行导入的用户")
    cmd.add_argument(
        "--password-file", metavar="FILE", help="从该文件第一行读取密码（文件须只有本账户可读）"
    )
    cmd.add_argument("--kind", required=True, choices=KINDS, help="台账类型")
    cmd.add_argument(
        "--mapping",
        default="auto",
        metavar="auto|FILE.json",
        help='列对应：auto 自动识别表头（默认），或 JSON 文件 {"表头或列号": "字段"}',
    )
    cmd.add_argument("--encoding", metavar="E", help="CSV 文件的编码（默认自动识别）")
    cmd.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    cmd.add_argument("--report", metavar="OUT.json", help="把计数和逐行结果写入 JSON 文件")
    cmd.add_argument("ledger", metavar="LEDGER", help="台账文件（.xlsx、.xls、.csv）")


def _fail(text: str) -> int:
    print(f"错误：{text}", file=sys.stderr)
    return EXIT_PROBLEM


def _load(imports: Any, path: Path, kind: str, encoding: str | None) -> Any:
    """The ledger, a CSV file read with ``encoding`` when one is given (else detected)."""
    return imports.load_ledger(path, kind=kind, encoding=encoding or None)


def _column_index(key: str, names: tuple[str, ...]) -> int | None:
    """A mapping file's column: a header as written, a letter (``C``) or a number (1 = A)."""
    from app.imports.layout import header_key

    wanted = header_key(key)
    for n, name in enumerate(names):
        if name and (header_key(name) == wanted or header_key(name.split("/")[-1]) == wanted):
            return n
    text = key.strip().upper()
    if text.isdigit() and int(text) >= 1:
        return int(text) - 1
    if text.isalpha() and len(text) <= 3:
        from app.imports.source import column_number

        return column_number(text) - 1
    return None


DETAIL_LABELS = {
    "first_number": "首个客户编号",
    "last_number": "末个客户编号",
    "volumes": "案卷",
    "items": "卷内文件",
    "unlinked": "待关联案卷",
    "loans": "借阅记录",
    "open": "未归还",
    "returned": "已归还",
}


def read_mapping(path: Path, names: tuple[str, ...], fields: Any) -> dict[int, str]:
    """A mapping file: ``{"档号": "reference_code", "C": "借阅人", …}`` (field key or label).

    Raises ValueError naming what is wrong.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）") from None
    except UnicodeDecodeError:
        raise ValueError("应为 UTF-8 编码的 JSON 文件") from None
    if isinstance(raw, dict) and isinstance(raw.get("mapping"), dict):
        raw = raw["mapping"]
    if not isinstance(raw, dict):
        raise ValueError('列对应文件应为 JSON 对象：{"表头或列号": "字段"}')
    by_key = {f.key: f.key for f in fields} | {f.label: f.key for f in fields}
    mapping: dict[int, str] = {}
    for column, field in raw.items():
        index = _column_index(str(column), names)
        if index is None:
            raise ValueError(f"列对应文件中的列“{column}”在表头中找不到")
        key = by_key.get(str(field))
        if key is None:
            raise ValueError(f"列对应文件中的字段“{field}”不是此类台账的字段")
        if key in mapping.values():
            raise ValueError(f"列对应文件把两列都对应到了字段“{field}”")
        mapping[index] = key
    return mapping


def row_entries(summary_outcomes: Any, dry_run: bool) -> list[dict[str, Any]]:
    """One report entry per checked row: line, status, reason and warning codes."""
    from app.services.imports import is_flagged, is_skipped

    out = []
    for o in summary_outcomes:
        if o.ok:
            status = "flagged" if is_flagged(o) else ("valid" if dry_run else "imported")
        else:
            status = "skipped" if is_skipped(o) else "rejected"
        out.append(
            {
                "row": o.row,
                "status": status,
                "reasons": [e.reason for e in o.errors],
                "warnings": [w.reason for w in o.warnings],
            }
        )
    return out


def skipped_entries(skipped: Any) -> list[dict[str, Any]]:
    """The reader's skipped rows (totals, sign-offs, repeated headers) as report entries."""
    return [
        {"row": s.row, "status": "skipped", "reasons": [s.reason], "warnings": []} for s in skipped
    ]


def cmd_import(args: argparse.Namespace) -> int:
    """Sign in, read, map, check and import (or only check); print and report the counts."""
    from app.services import imports
    from app.services.auth import sign_in, sign_out

    clock = SystemClock()
    path = Path(args.ledger).expanduser()
    try:
        session = sign_in(
            location=_location(args.db), username=args.user, password=_password(args), clock=clock
        )
    except AppError as exc:
        return _fail(describe(exc))
    try:
        try:
            ledger = _load(imports, path, args.kind, args.encoding)
        except AppError as exc:
            return _fail(describe(exc))
        except OSError as exc:
            return _fail(f"无法读取台账文件（{exc.strerror}）")
        if args.mapping == "auto":
            mapping, _remembered = imports.guess_columns(
                session=session, kind=args.kind, ledger=ledger, clock=clock
            )
        else:
            try:
                mapping = read_mapping(
                    Path(args.mapping), ledger.header.names, imports.ledger_fields(args.kind)
                )
            except (OSError, ValueError) as exc:
                return _fail(f"列对应文件不可用：{exc}")
        try:
            imports.check_mapping(args.kind, mapping)
        except AppError as exc:  # the headers are column names, never a value of the ledger
            found = "、".join(n for n in ledger.header.names if n) or "（无）"
            return _fail(f"{describe(exc)}\n读到的表头：{found}")
        ledger_of = {"session": session, "kind": args.kind, "ledger": ledger, "mapping": mapping}
        try:
            result = imports.check_ledger(**ledger_of, clock=clock)
            # nobody at the desk to choose: each duplicate group as the wizard proposes it
            # (the first of an ID or 档号 imported, shared phones/accounts imported and flagged)
            decisions = {g.key: imports.Choice(g.default) for g in result.duplicates}
            if decisions:
                result = imports.check_ledger(**ledger_of, clock=clock, decisions=decisions)
            if args.dry_run:
                outcomes, skipped = result.outcomes, result.skipped
                details: dict[str, object] = {}
            else:
                summary = imports.run_import(
                    **ledger_of,
                    mode=imports.ImportMode.VALID_ROWS,
                    clock=clock,
                    decisions=decisions,
                    checked=result,
                )
                outcomes, skipped, details = summary.outcomes, summary.skipped, summary.details
        except AppError as exc:
            return _fail(describe(exc))
    finally:
        sign_out(session=session, clock=clock)
    entries = row_entries(outcomes, args.dry_run) + skipped_entries(skipped)
    counts = {
        "total": len(entries),  # rows read: data rows + skipped rows (blank lines not counted)
        "valid": sum(1 for e in entries if e["status"] in ("imported", "valid", "flagged")),
        "rejected": sum(1 for e in entries if e["status"] == "rejected"),
        "flagged": sum(1 for e in entries if e["status"] == "flagged"),
        "skipped": sum(1 for e in entries if e["status"] == "skipped"),
    }
    verb = "可导入" if args.dry_run else "已导入"
    print(
        f"读到 {counts['total']} 行：{verb} {counts['valid']} 行"
        f"（其中疑似重复 {counts['flagged']} 行），拒绝 {counts['rejected']} 行，"
        f"跳过 {counts['skipped']} 行（合计、表尾说明、重复表头或按重复处理跳过）"
        + ("（仅检查，未写入）" if args.dry_run else "")
    )
    if decisions:
        print(f"重复分组 {len(decisions)} 组：已按默认处理（导入向导中可逐组选择）")
    for key, value in details.items():
        print(f"  {DETAIL_LABELS.get(key, key)}：{value}")
    if args.report:
        report = {
            "kind": args.kind,
            "dry_run": bool(args.dry_run),
            **counts,
            "rows": sorted(entries, key=lambda e: int(e["row"])),
        }
        Path(args.report).write_text(
            json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return EXIT_OK
