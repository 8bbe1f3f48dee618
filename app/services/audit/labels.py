"""How entries read for people: Chinese names of actions, objects and detail keys (one table).

Every action code written anywhere in ``app/`` has a label here (tests/unit/test_audit_labels.py
scans the source for them, so a new code without a label fails); object kinds and the keys of the
details likewise. Codes never reach the screen: an unknown one is shown by its area's name.
"""

from __future__ import annotations

import json
from typing import Any

from app.domain import inspections as inspection_rules
from app.domain import loans as loan_rules
from app.messages import FIELD_LABELS
from app.services.audit.action_labels import ACTION_LABELS as ACTION_LABELS
from app.services.audit.detail_labels import DETAIL_LABELS as DETAIL_LABELS

# The area of an action code (its first part): how an action no table knows yet still reads.
AREA_LABELS: dict[str, str] = {
    "auth": "登录",
    "system": "系统",
    "user": "用户",
    "settings": "设置",
    "customer": "客户",
    "volume": "案卷",
    "item": "卷内文件",
    "secrecy": "密级",
    "catalogue": "档案目录",
    "file": "电子文件",
    "location": "库位",
    "box": "档案盒",
    "move": "移位",
    "custody": "保管",
    "label_stock": "标签纸",
    "loan": "借阅",
    "inspection": "检查",
    "repair": "修复",
    "print": "打印",
    "export": "导出",
    "import": "导入",
    "demo": "演示数据",
    "audit": "审计",
    "backup": "备份",
    "incident": "事件",
    "disposition": "鉴定处置",
    "statistics": "统计",
    "staff": "人员",
    "filing": "归档移交",
    "access_review": "访问权限审查",
}

OBJECT_LABELS: dict[str, str] = {
    "erasure_request": "删除/匿名化申请",
    "subject_request": "客户请求",
    "data_recipient": "对外提供接收方",
    "data_provision": "对外提供记录",
    "customer": "客户",
    "volume": "案卷",
    "item": "卷内文件",
    "item_file": "电子文件",
    "user": "用户",
    "settings": "设置",
    "setting": "设置",
    "database": "数据库",
    "audit": "审计记录",
    "incident": "事件",
    "backup": "备份",
    "box": "档案盒",
    "storage_location": "库位",
    "move_batch": "批量移位",
    "custody_handover": "保管交接",
    "label_stock": "标签纸",
    "labels": "标签",
    "use_application": "查阅借阅申请",
    "loan": "借出登记",
    "loan_form": "借阅表单",
    "damage_report": "损坏报告",
    "duplicate_flag": "疑似重复",
    "inspection": "检查",
    "import": "导入",
    "import_batch": "导入批次",
    # staff (issue 20)
    "staff_person": "人员",
    "department": "部门",
    "staff_training": "保密培训",
    "filing_handover": "归档移交",
    "staff_handover": "离职/调岗交接",
    "access_review": "访问权限审查",
    "legal_hold": "冻结",
    "appraisal": "鉴定",
    "destruction_list": "销毁清册",
    "statistics_report": "统计报表",
}


def _words(*tables: dict[Any, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for table in tables:
        out.update({str(k): v for k, v in table.items()})
    return out


# Values that are codes themselves (kinds, verdicts, states …), shown by these names; only the
# values of the keys in VALUE_KEYS are looked up (free text is never translated).
VALUE_WORDS: dict[str, str] = _words(
    inspection_rules.KIND_LABELS,
    inspection_rules.SCOPE_LABELS,
    inspection_rules.DIFFERENCE_LABELS,
    inspection_rules.RESOLUTION_LABELS,
    inspection_rules.CONDITION_LABELS,
    inspection_rules.TASK_LABELS,
    loan_rules.KIND_LABELS,
    loan_rules.CONDITION_LABELS,
    loan_rules.REPORT_KIND_LABELS,
    loan_rules.LEVEL_LABELS,
    {
        "print": "打印",
        "save": "保存为 PDF",
        "pdf": "PDF",
        "xlsx": "Excel",
        "csv": "CSV",
        "customers": "客户",
        "volumes": "案卷",
        "volume": "案卷",
        "box": "档案盒",
        "location": "库位",
        "place": "库位标签",
        "unknown": "无法识别",
        "found": "已清点",
        "again": "重复扫描",
        "leak": "泄密",
        "loss": "丢失",
        "other": "其他",
        "user": "用户操作",
        "quit": "退出程序",
        "idle": "空闲",
        "manual": "手动",
        "restore": "切换数据库",
        "failed": "失败",
        "locked": "锁定",
        "potential": "潜在",
        "registered": "在册",
        "lost": "流失",
        "open": "处理中",  # an incident's status
        "closed": "已结案",
    },
)
# Keys whose values name fields (a reveal's ``fields``): shown by the fields' Chinese names.
FIELD_LIST_KEYS = frozenset({"fields"})
VALUE_KEYS = frozenset(
    {"output", "format", "kind", "verdict", "condition", "resolution", "task", "reason", "scope"}
    | {"mode", "secrecy", "was", "source", "status"}
)


def action_label(action: str) -> str:
    """The Chinese name of an action (never the code: an unknown one reads by its area)."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return label
    area = AREA_LABELS.get(action.split(".", 1)[0], "系统")
    return f"{area}：其他操作"


def object_label(object_type: str) -> str:
    """The Chinese name of an object kind (empty for none)."""
    if not object_type:
        return ""
    return OBJECT_LABELS.get(object_type) or AREA_LABELS.get(object_type) or "其他对象"


def detail_label(key: str) -> str:
    """The Chinese name of a details key or a changed field (the key itself when unknown)."""
    return DETAIL_LABELS.get(key) or FIELD_LABELS.get(key) or key


def _plain(value: Any, key: str = "") -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_plain(v, key) for v in value) or "（空）"
    if isinstance(value, dict):
        return "，".join(_pair(k, v) for k, v in value.items())
    if value is None or value == "":
        return "（空）"
    if isinstance(value, str) and key in VALUE_KEYS:
        return VALUE_WORDS.get(value, value)
    if isinstance(value, str) and key in FIELD_LIST_KEYS:  # 证件号码, never id_number
        return detail_label(value)
    return str(value)


def _pair(key: str, value: Any) -> str:
    name = detail_label(key)
    if isinstance(value, dict) and set(value) <= {"before", "after"} and value:
        before = _plain(value.get("before"), key) if "before" in value else "……"
        return f"{name}：{before} → {_plain(value.get('after'), key)}"
    if key == "changes" and isinstance(value, dict):
        parts = []
        for field, change in value.items():
            if isinstance(change, list) and len(change) == 2:
                parts.append(f"{detail_label(field)}：{_plain(change[0])} → {_plain(change[1])}")
            else:
                parts.append(_pair(field, change))
        return "；".join(parts)
    return f"{name}：{_plain(value, key)}"


def details_text(details: str) -> str:
    """An entry's details for people: ``字段：修改前 → 修改后`` for changes, ``名称：值`` else."""
    if details in ("", "{}"):
        return ""
    try:
        data = json.loads(details)
    except ValueError:
        return details
    if not isinstance(data, dict):
        return _plain(data)
    return "；".join(_pair(k, v) for k, v in data.items())


def changed_fields_text(details: str) -> str:
    """The Chinese names of the fields a change entry names (``姓名、证件号码``)."""
    try:
        data = json.loads(details or "{}")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    fields = data.get("changes", data) if isinstance(data.get("changes"), dict) else data
    return "、".join(detail_label(k) for k in sorted(fields))
