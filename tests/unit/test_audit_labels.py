"""Every audit action code, object kind and details key written in ``app/`` reads in Chinese.

The codes are found by scanning the source (not from a list kept by hand): a new ``record(...)``
call with a code that has no label in app/services/audit/labels.py fails here.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from app.services.audit.labels import (
    ACTION_LABELS,
    DETAIL_LABELS,
    OBJECT_LABELS,
    action_label,
    changed_fields_text,
    detail_label,
    details_text,
    object_label,
)

APP = Path(__file__).resolve().parents[2] / "app"
SINKS = {"record": (0, "action"), "record_view": (0, "action"), "record_many": (0, "action")}


def _import_kinds() -> list[str]:
    from app.services.imports.registry import KINDS

    return list(KINDS)


def _forms() -> list[str]:
    from app.services.catalogue import FORMS

    return list(FORMS)


def _loan_outputs() -> list[str]:
    from app.services.loans.printing import OUTPUTS

    return list(OUTPUTS)


def _move_targets() -> list[str]:
    from app.services.locations import Target

    return [t.value for t in Target]


# Action codes built by f-strings: the template as written, and where its values come from.
FAMILIES: dict[str, Callable[[], list[str]]] = {
    "print.{form}": _forms,
    "print.loan_{form}": _loan_outputs,
    "{request.object_type.value}.move": _move_targets,
    "import.{kind}": _import_kinds,
    "import.{batch.kind}.undo": _import_kinds,
    "export.import_rejected.{kind}": _import_kinds,
}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(APP.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _helpers(trees: list[tuple[Path, ast.Module]]) -> dict[str, tuple[int, str]]:
    """Functions that pass their ``action`` parameter on to ``record``: they are sinks too."""
    sinks = dict(SINKS)
    for _path, tree in trees:
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef) or fn.name in SINKS:
                continue
            params = [a.arg for a in fn.args.args if a.arg not in ("self", "cls")]
            if "action" not in params:
                continue
            for call in ast.walk(fn):
                if (
                    isinstance(call, ast.Call)
                    and _name(call) in SINKS
                    and call.args
                    and isinstance(call.args[0], ast.Name)
                    and call.args[0].id == "action"
                ):
                    sinks[fn.name] = (params.index("action"), "action")
    return sinks


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _constants(trees: list[tuple[Path, ast.Module]]) -> dict[str, str]:
    out = {}
    for _path, tree in trees:
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        out[target.id] = node.value.value
    return out


def _codes_of(
    expr: ast.expr, fn: ast.FunctionDef | None, constants: dict[str, str], where: str
) -> Iterator[str]:
    """The action codes ``expr`` may evaluate to."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        yield expr.value
    elif isinstance(expr, ast.IfExp):
        yield from _codes_of(expr.body, fn, constants, where)
        yield from _codes_of(expr.orelse, fn, constants, where)
    elif isinstance(expr, ast.JoinedStr):
        template = "".join(
            part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
            for part in expr.values
            if isinstance(part, ast.Constant | ast.FormattedValue)
        )
        assert template in FAMILIES, f"{where}: add the code family {template!r} to FAMILIES"
        head, _, rest = template.partition("{")
        tail = rest.partition("}")[2]
        for value in FAMILIES[template]():
            yield f"{head}{value}{tail}"
    elif isinstance(expr, ast.Name):
        if fn is not None and expr.id in [a.arg for a in fn.args.args]:
            return  # a helper's parameter: its callers are scanned
        assigned = [
            node.value
            for node in ast.walk(fn or ast.Module(body=[], type_ignores=[]))
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
        ]
        if assigned:
            for value in assigned:
                yield from _codes_of(value, None, constants, where)
        else:
            assert expr.id in constants, f"{where}: cannot read the action code {expr.id}"
            yield constants[expr.id]
    elif isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
        # a module-level table of codes (``OUTPUTS[output]``): every string value in it
        module = ast.parse((APP.parent / where.rpartition(":")[0]).read_text(encoding="utf-8"))
        tables = [
            node.value
            for node in module.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == expr.value.id for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ]
        assert tables, f"{where}: cannot read the action code {ast.unparse(expr)}"
        for value in tables[0].values:
            yield from _codes_of(value, None, constants, where)
    else:
        raise AssertionError(f"{where}: cannot read the action code {ast.unparse(expr)}")


def _dicts(args: list[ast.expr], fn: ast.FunctionDef | None) -> Iterator[ast.Dict]:
    """Dict literals passed to a sink, or assigned to a name passed to it in the function."""
    for arg in args:
        if isinstance(arg, ast.Dict):
            yield arg
        elif isinstance(arg, ast.Name) and fn is not None:
            for node in ast.walk(fn):
                if (
                    isinstance(node, ast.Assign | ast.AnnAssign)
                    and isinstance(node.value, ast.Dict)
                    and any(
                        isinstance(t, ast.Name) and t.id == arg.id
                        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                    )
                ):
                    yield node.value


def _scan() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(action code → where, object kind → where, details key → where) written in app/."""
    trees = list(_modules())
    sinks = _helpers(trees)
    constants = _constants(trees)
    actions: dict[str, str] = {}
    objects: dict[str, str] = {}
    keys: dict[str, str] = {}
    for path, tree in trees:
        owners: dict[int, ast.FunctionDef] = {}
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef):
                for node in ast.walk(fn):
                    owners[id(node)] = fn  # innermost wins: inner functions are walked later
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or _name(call) not in sinks:
                continue
            where = f"{path.relative_to(APP.parent)}:{call.lineno}"
            index, keyword = sinks[_name(call)]
            expr = _argument(call, index, keyword)
            if expr is None:
                continue
            fn = owners.get(id(call))
            for code in _codes_of(expr, fn, constants, where):
                actions.setdefault(code, where)
            kind = _argument(call, 10_000, "object_type")
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                objects.setdefault(kind.value, where)
            for node in _dicts(call.args[1:] + [k.value for k in call.keywords], fn):
                for key in node.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        keys.setdefault(key.value, where)
    for target in _move_targets():
        objects.setdefault(target, "app/services/locations.py (moves)")
    return actions, objects, keys


def test_every_action_code_written_in_app_has_a_chinese_label() -> None:
    actions, _objects, _keys = _scan()
    assert len(actions) > 100  # the scan really found the codes
    missing = {code: where for code, where in actions.items() if code not in ACTION_LABELS}
    assert missing == {}


def test_every_object_kind_and_details_key_has_a_chinese_label() -> None:
    _actions, objects, keys = _scan()
    assert len(objects) > 20 and len(keys) > 80
    assert {k: w for k, w in objects.items() if k not in OBJECT_LABELS} == {}
    assert {k: w for k, w in keys.items() if detail_label(k) == k} == {}


def test_labels_never_show_codes() -> None:
    assert action_label("loan.issue") == "借出"
    assert action_label("print.loan_slip") == "打印借出单"
    assert action_label("loan.something_new") == "借阅：其他操作"
    assert object_label("use_application") == "查阅借阅申请"
    assert object_label("some_new_kind") == "其他对象"
    text = details_text(json.dumps({"output": "save", "reference_code": "Z001-KH·2026-D30-0001"}))
    assert text == "输出：保存为 PDF；档号：Z001-KH·2026-D30-0001"
    change = details_text(json.dumps({"id_number": {"after": "110***********002X"}}))
    assert change == "证件号码：…… → 110***********002X"
    edit = details_text(json.dumps({"changes": {"title": ["旧题名", "新题名"]}}))
    assert edit == "题名：旧题名 → 新题名"
    assert changed_fields_text(json.dumps({"id_number": {}, "name": {}})) == "证件号码、名称"
    reveal = details_text(json.dumps({"fields": ["id_number", "phones", "bank_accounts"]}))
    assert reveal == "字段：证件号码、电话、银行账户"  # names, never codes
    assert "use_app" not in "".join(OBJECT_LABELS.values())
    assert all(label and label.isascii() is False for label in DETAIL_LABELS.values())
