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

ACTION_LABELS: dict[str, str] = {
    # sign-in and the session
    "auth.sign_in": "登录",
    "auth.sign_out": "退出登录",
    "auth.sign_in_failed": "登录失败",
    "auth.account_locked": "账户锁定",
    "auth.sign_in_refused": "登录被拒（账户停用）",
    "auth.idle_lock": "空闲锁定",
    "auth.manual_lock": "手动锁定",
    "auth.unlock": "解锁",
    # accounts and settings
    "system.setup": "初始化数据库",
    "user.create": "新建用户",
    "user.set_roles": "修改角色",
    "user.set_department": "设置所属部门",
    "user.disable": "停用用户",
    "user.change_requested": "提交账户变更（待确认）",
    "user.change_confirmed": "确认账户变更",
    "user.change_rejected": "驳回或撤回账户变更",
    "user.enable": "启用用户",
    "user.reset_password": "重置密码",
    "user.change_password": "修改密码",
    "user.recover_access": "用恢复密钥恢复访问",
    "settings.update": "修改安全设置",
    "settings.reference_pattern": "修改档号规则",
    "settings.loans": "修改借阅设置",
    # customers
    "customer.create": "登记客户",
    "customer.update": "修改客户",
    "customer.status": "变更客户状态",
    "customer.reveal": "显示完整信息",
    "customer.delete": "删除客户",
    "customer.duplicate_cleared": "复核疑似重复",
    # catalogue
    "volume.create": "新建案卷",
    "volume.update": "修改案卷",
    "item.create": "新增卷内文件",
    "secrecy.extend": "延长保密期限",
    "secrecy.declassify": "到期解密",
    "catalogue.view_classified": "查看机密/绝密案卷",
    "catalogue.link_volumes": "关联待关联案卷",
    "file.attach": "附加电子文件",
    "file.open": "打开电子文件",
    "file.fixity_failed": "电子文件校验失败",
    "file.missing": "电子文件缺失",
    "file.orphans_removed": "清理无主文件",
    # locations and moves
    "location.batch_create": "批量新建库位",
    "location.update": "修改库位",
    "location.delete": "删除库位",
    "location.settings": "修改库位设置",
    "box.create": "新建档案盒",
    "volume.move": "案卷移位",
    "box.move": "档案盒移位",
    "move.bulk": "批量移位",
    "move.bulk_undo": "撤销批量移位",
    "custody.handover": "保管交接",
    "label_stock.save": "保存标签纸规格",
    "label_stock.delete": "删除标签纸规格",
    # loans
    "loan.apply": "提交借阅申请",
    "loan.approve": "审批同意",
    "loan.reject": "审批驳回",
    "loan.issue": "借出",
    "loan.return": "归还",
    "loan.renewal_request": "申请续借",
    "loan.notice": "催还通知",
    "loan.damage_resolved": "损坏处理完毕",
    # inspections
    "inspection.start": "开始检查",
    "inspection.pause": "暂停检查",
    "inspection.resume": "继续检查",
    "inspection.close": "结束检查",
    "inspection.check": "登记检查项目",
    "inspection.count_start": "开始清点",
    "inspection.scan": "清点扫码",
    "inspection.count_finish": "完成清点",
    "inspection.difference": "处理清点差异",
    "inspection.finding": "登记检查发现",
    "inspection.fixity": "电子文件校验",
    "inspection.reading": "登记温湿度",
    "inspection.room_type": "修改库房类型",
    "inspection.settings": "修改检查设置",
    "repair.out": "送修",
    "repair.done": "修复完成",
    "file.save": "另存电子文件副本",
    "file.print": "打印电子文件",
    "file.copy_refused": "拒绝复制涉密电子文件",
    # printouts and exports (R40)
    "print.catalogue": "打印卷内目录",
    "print.note": "打印卷内备考表",
    "print.labels": "打印标签",
    "print.shelf_list": "打印架位清单",
    "print.custody_handover": "打印保管交接单",
    "print.inspection_record": "打印检查记录",
    "print.incident": "打印事件报告",
    "print.loan_register": "打印借阅登记簿",
    "print.loan_copy_register": "打印复制摘抄登记簿",
    "print.loan_application": "打印查阅借阅申请单",
    "print.loan_slip": "打印借出单",
    "print.loan_notice": "打印催还通知",
    "export.volumes": "导出案卷目录",
    "export.customers": "导出客户名单",
    "export.import_rejected.customers": "导出未导入的客户行",
    "export.import_rejected.volumes": "导出未导入的案卷行",
    "export.import_rejected.loans": "导出未导入的借阅登记行",
    "import.customers": "导入客户",
    "import.volumes": "导入案卷",
    "import.customers.undo": "撤销客户导入",
    "import.volumes.undo": "撤销案卷导入",
    "import.loans": "导入借阅登记簿",
    "import.loans.undo": "撤销借阅登记簿导入",
    "demo.generate": "生成演示数据",
    # audit, backup, incidents
    "audit.export": "导出审计记录",
    "keys.rotate": "更换数据密钥",
    "keys.rotation_deferred": "数据密钥更换推迟",
    "audit.archive": "归档审计记录",
    "audit.seal_started": "启用审计封印（核验密钥交审计员）",
    "time.mark_reset": "确认系统时间（重置时间高水位）",
    "audit.chain_sealed": "审计链启用",
    "audit.verify_failed": "审计链校验失败",
    "backup.create": "备份",
    "backup.verify": "校验备份",
    "backup.failed": "备份失败",
    "backup.restore_prepared": "准备恢复（已校验）",
    "backup.restore": "切换到恢复的数据库",
    "backup.vault_expired": "销毁过期的备份密钥副本",
    "incident.record": "登记泄密/丢失事件",
    "incident.update": "更新事件",
    # statistics reports (issue 19)
    "statistics.compile": "编制统计报表（草稿）",
    "statistics.submit": "提交统计报表审批",
    "statistics.approve": "审批统计报表（同意）",
    "statistics.reject": "退回统计报表",
    "statistics.release": "发布统计报表（编号、冻结数据）",
    "statistics.revise": "统计报表个别项修改（新版本）",
    "statistics.distribute": "登记统计报表发放",
    "statistics.routing": "修改统计报表审批流程",
    "statistics.export": "打印/导出统计报表",
}

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
}

OBJECT_LABELS: dict[str, str] = {
    "statistics_report": "统计报表",
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
}

# Keys of the details (and of the fields a change names) that are not error fields.
DETAIL_LABELS: dict[str, str] = {
    # statistics reports (issue 19)
    "draft": "草稿",
    "of": "原报表",
    "period": "统计期间",
    "steps": "审批环节",
    "version": "版本",
    "affected": "涉及",
    "after": "修改后",
    "application": "申请编号",
    "approver": "批准人",
    "approver_title": "审批职务",
    "audit_head": "审计链末条",
    "bank_accounts": "银行账户",
    "before": "修改前",
    "boxes": "档案盒",
    "bytes": "大小（字节）",
    "carried_over": "结转差异",
    "category": "客户类别",
    "changes": "修改",
    "checked": "已校验",
    "checklist": "检查项目",
    "code": "编码",
    "confirmed_by": "第二确认人",
    "cutoff": "归档截止时间",
    "epoch": "封印周期",
    "rows_kept": "保留的行数",
    "read": "读入行数",
    "key_version": "密钥版本",
    "copy_sha256": "副本校验值",
    "level": "密级",
    "note_chars": "说明字数",
    "watermarked": "已加水印",
    "slots": "密钥槽",
    "accounts_needing_new_password": "需重设密码的账户",
    "new_recovery_key_issued": "已签发新恢复密钥",
    "seconds": "用时（秒）",
    "holders": "占用者",
    "rechecked_only": "仅复查唯一性",
    "skipped": "跳过行数",
    "codes": "编码",
    "condition": "状况",
    "consent_date": "同意日期",
    "consent_method": "同意方式",
    "consent_purpose": "同意用途",
    "consent_until": "同意有效期至",
    "count": "数量",
    "counted": "清点件数",
    "counts": "数量",
    "customer": "客户",
    "customers": "客户",
    "differences": "差异",
    "due_on": "应还日期",
    "email": "电子邮箱",
    "entries": "条数",
    "erased_customers": "已擦除的客户",
    "error": "错误",
    "expected": "应有件数",
    "failed": "未通过",
    "fields": "字段",
    "file_name": "文件名",
    "file_sha256": "文件校验值",
    "filter": "筛选条件",
    "final": "最终审批",
    "first": "起",
    "first_seq": "起始序号",
    "fonds_code": "全宗号",
    "format": "格式",
    "from": "原位置",
    "id_number": "证件号码",
    "imported": "已导入",
    "importance": "重要程度",
    "index_remarks": "检索备注",
    "inspectors": "检查人数",
    "item": "项目",
    "item_id": "卷内文件",
    "items": "卷内文件",
    "key_id": "密钥",
    "kind": "类型",
    "bootstrap": "补建三员（唯一三员确认）",
    "requested_by": "提交人",
    "requested_roles": "申请的角色",
    "withdrawn": "由提交人撤回",
    "label": "对象",
    "last": "止",
    "limits": "限值",
    "lines": "行数",
    "loan": "借出登记",
    "loans": "借出登记",
    "media_type": "文件类型",
    "mode": "方式",
    "name": "名称",
    "note": "说明",
    "number": "编号",
    "ok": "合格",
    "organisation_name": "单位名称",
    "out_of_range": "超出范围",
    "output": "输出",
    "outsider": "外单位人员",
    "phones": "电话",
    "places": "库位",
    "problems": "问题",
    "purged_customers": "已清除的客户",
    "query": "查询条件",
    "reason": "原因",
    "rejected": "未导入",
    "removed_by_rotation": "轮换删除",
    "renewed_until": "续借至",
    "report": "报告",
    "resolution": "处理结果",
    "responsible_user_id": "负责人",
    "restricted": "受限",
    "retention_days": "保留天数",
    "rh": "相对湿度（%）",
    "roles": "角色",
    "route": "审批路线",
    "rows": "行数",
    "scope": "范围",
    "secrecy": "密级",
    "secure": "保密柜",
    "seq": "件号",
    "sha256": "校验值",
    "size": "大小",
    "source": "来源",
    "spans": "范围",
    "staged": "恢复副本",
    "start": "起始位置",
    "status": "状态",
    "step": "审批步骤",
    "suspected_duplicates": "疑似重复",
    "t": "温度（℃）",
    "target": "备份位置",
    "task": "任务",
    "through_hash": "末条校验值",
    "through_seq": "末条序号",
    "to": "新位置",
    "to_box": "放入档案盒",
    "undo_batch": "撤销的批次",
    "unmasked": "未遮蔽",
    "username": "用户名",
    "vault_copies_destroyed": "销毁的密钥副本",
    "verdict": "清点结果",
    "verified": "已校验",
    "volumes": "案卷",
    "was": "原密级",
    "when": "时间",
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
