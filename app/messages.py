"""Chinese message templates for typed errors and field names (one catalogue for GUI and CLI).

The GUI passes each template through ``QCoreApplication.translate("messages", …)`` so that a
translation file can replace it; the command line prints it as is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.clock import format_local
from app.errors import AppError, FieldError, ValidationFailed

FIELD_LABELS: dict[str, str] = {
    "title": "题名",
    "retention": "保管期限",
    "year": "年度",
    "org_code": "机构（问题）代码",
    "compiled_by": "立卷人",
    "checked_by": "检查人",
    "compiled_on": "立卷时间",
    "notes": "本卷情况说明",
    "doc_number": "文号",
    "author": "责任者",
    "doc_date": "日期",
    "page_from": "起始页号",
    "page_to": "终止页号",
    "carrier": "载体",
    "secrecy_level": "密级",
    "secrecy_term_years": "保密期限（年）",
    "secrecy_since": "定密日期",
    "volume": "案卷",
    "item": "卷内文件",
    "reference_code": "档号",
    "reference_pattern": "档号规则",
    "remarks": "备注",
    "username": "用户名",
    "display_name": "姓名",
    "password": "密码",
    "new_password": "新密码",
    "password_confirm": "确认密码",
    "old_password": "原密码",
    "roles": "角色",
    "approver_title": "审批人职务",
    "fonds_name": "全宗名称",
    "fonds_code": "全宗号",
    "organisation_name": "单位名称",
    "recovery_key": "恢复密钥",
    "password_min_length": "密码最短长度",
    "password_min_classes": "密码字符类别数",
    "lockout_max_failures": "锁定前允许失败次数",
    "lockout_minutes": "锁定时长（分钟）",
    "idle_lock_minutes": "空闲锁屏（分钟）",
    "db": "数据库",
    "backup_target": "备份文件夹",
    "backup_interval_hours": "提醒间隔（小时）",
    "backup_keep_daily": "保留每日备份（天）",
    "backup_keep_weekly": "保留每周备份（周）",
    "backup_keep_monthly": "保留每月备份（月）",
    "backup_vault_days": "密钥库副本保留（天）",
    "purpose": "用途",
    "name": "名称",
    "party": "客户性质",
    "kind": "客户类型",
    "category": "客户类别",
    "status": "状态",
    "importance": "重要程度",
    "id_type": "证件类型",
    "phones": "电话",
    "bank_accounts": "银行账号",
    "addresses": "地址",
    "email": "电子邮箱",
    "consent_date": "同意日期",
    "consent_purpose": "同意用途",
    "consent_until": "保存期限",
    "responsible_user_id": "负责人员",
    "note": "说明",
    "reason": "原因",
    "flag": "疑似重复记录",
    "id_number": "证件号码",
    "phone": "电话",
    "bank_account": "银行账号",
    "gender": "性别",
    "birth_date": "出生日期",
    "customer": "客户",
    "file": "电子文件",
    "file_name": "文件名",
}

MESSAGES: dict[str, str] = {
    "validation_failed": "输入有误，未保存任何内容：\n{details}",
    "database_missing": "找不到数据库文件：{path}\n请检查路径，或从备份恢复。",
    "database_corrupt": "数据库文件已损坏：{path}\n{detail}\n请勿继续写入，请从最近的备份恢复。",
    "foreign_database": "该文件不是本程序的数据库，或与钥匙环不匹配：{path}\n请确认选择了正确的文件。",
    "database_too_new": (
        "该数据库由更新版本的档案室程序创建（结构版本 {revision}），本版本无法打开。"
        "数据库未作任何改动，请升级程序后再打开。"
    ),
    "database_not_initialized": "数据库尚未初始化：{path}\n请先运行初始设置。",
    "database_exists": "该位置已有数据库：{path}\n为避免覆盖，请选择其他位置。",
    "keyring_missing": (
        "找不到数据库的钥匙环文件：{path}\n没有它无法解密数据库。请从备份中恢复该文件，"
        "并放在数据库文件旁边。"
    ),
    "keyring_damaged": (
        "钥匙环文件已损坏、被修改或与数据库不匹配：{path}\n程序不会替换它。"
        "请从备份中恢复钥匙环文件，或联系系统管理员。"
    ),
    "keyring_too_new": "钥匙环文件由更新版本的档案室程序写入：{path}\n请升级程序后再打开。文件未被改动。",
    "session_ended": "登录已结束，请重新登录。",
    "storage_read_only": "无法写入：{path}\n该文件夹或文件为只读。请选择可写的位置或检查权限。",
    "disk_full": "磁盘空间不足，无法写入：{path}\n未保存任何内容。请清理磁盘后重试。",
    "database_unavailable": "无法连接数据库服务器：{detail}\n请检查网络和数据库地址。",
    "database_busy": "数据库正被其他程序占用：{path}\n请稍后重试。",
    "wrong_credentials": "用户名或密码错误。连续失败 {max_failures} 次后账户将被锁定 {minutes} 分钟。",
    "account_locked": "账户因多次登录失败已被锁定，请于 {until} 之后再试，或请系统管理员协助。",
    "account_disabled": "该账户已被系统管理员停用。",
    "permission_denied": "当前账户无权执行此操作：{action}",
    "copy_needs_approval": (
        "机密、绝密档案的复制（打印或另存）须经总经理批准。请通过借阅审批办理后再复制；"
        "此处只能查看。"
    ),
    "role_conflict": "角色组合违反三员分立原则：{detail}",
    "user_not_found": "找不到该用户。",
    "customer_unreadable": (
        "该客户的受保护信息无法解密：其密钥已按删除要求销毁，或密钥库文件损坏。"
        "请从包含密钥库的备份恢复，或联系系统管理员。"
    ),
    "recovery_key_invalid": "恢复密钥不正确或不属于此数据库。请核对打印的恢复密钥单。",
    "file_fixity_failed": (
        "电子文件（编号 {file_id}）校验失败：存储的内容已损坏或被篡改，与入库时的 SHA-256 校验值不符。"
        "文件未打开，此事件已记入审计日志。请从备份恢复该文件，并报告系统管理员。"
    ),
    "file_read_failed": "读取要附加的文件时出错，未保存任何内容。请检查文件或存储介质后重试。",
    "file_blob_missing": (
        "电子文件（编号 {file_id}）的加密存储文件不见了（数据库旁的 .files 文件夹中缺少该文件）。"
        "文件未打开，此事件已记入审计日志。请从包含 .files 文件夹的备份恢复，并报告系统管理员。"
    ),
    # backup and restore (issue 10)
    "backup_target_failed": (
        "备份介质写入失败（{path}：{detail}）：介质可能已被拔出、只读或损坏。"
        "未完成的备份已删除，数据库没有受到影响，可以继续使用。请检查介质后重新备份。"
    ),
    "backup_target_full": (
        "备份介质空间不足（{path}）：备份未完成，未完成的部分已删除。"
        "数据库没有受到影响，可以继续使用。请清理介质或换用更大的介质后重新备份。"
    ),
    "backup_cancelled": "备份或恢复已取消，未保留任何不完整的内容，数据库没有受到影响。",
    "backup_damaged": (
        "备份校验失败，已拒绝使用：{detail}。该备份（{path}）可能已损坏或被改动，"
        "请改用其他备份，并检查备份介质。"
    ),
    "backup_foreign": "该备份不属于当前数据库，或所给的密码/恢复密钥不能解开它。",
    "backup_unsupported": (
        "PostgreSQL 数据库请使用服务器端的备份工具（如 pg_dump）；本功能备份本机加密数据库文件。"
    ),
    "backup_no_target": "尚未设置备份文件夹：请在“备份与恢复”中选择备份位置（如 U 盘或网络盘上的文件夹）。",
    "password_file_exposed": (
        "密码文件 {path} 可被其他账户读取，已拒绝使用。请改为只有本账户可读（chmod 600）。"
    ),
    "app_error": "操作失败。",
}

REASONS: dict[str, str] = {
    "before_start": "不能早于起始页号",
    "top_secret_alone": "绝密文件须单独立卷，本卷已有其他文件",
    "top_secret_volume": "本卷为绝密卷，只能放入绝密文件",
    "no_clearance": "您的涉密级别不足，无权操作该密级的档案",
    "already_ended": "保密期限已届满，不能再延长",
    "exhausted": "档号 {scope} 的顺序号已用完，请调整档号规则",
    "destroyed": "已销毁，不能再修改",
    "changed": "已被他人修改，请关闭后重新打开再修改",
    "required": "不能为空",
    "too_short": "至少需要 {min} 个字符",
    "too_long": "不能超过 {max} 个字符",
    "classes": "需包含大写字母、小写字母、数字、符号中的至少 {min} 类",
    "mismatch": "两次输入不一致",
    "taken": "已被使用",
    "format": "格式不正确，应为{expected}",
    "contains_username": "不能包含用户名",
    "same_as_old": "不能与原密码相同",
    "range": "应在 {min} 到 {max} 之间",
    "title_required": "审批人必须选择职务",
    "title_without_approver": "只有审批人可以设置职务",
    "self_change": "不能修改自己的角色",
    "last_admin": "必须至少保留一名启用的系统管理员",
    "self_disable": "不能停用自己的账户",
    "empty": "至少选择一个角色",
    "wrong": "不正确",
    "not_found": "不存在",
    "not_staff": "该账户不能负责客户，请选择在用的档案管理员或审批人",
    "not_disabled": "该账户未被停用",
    "own_entry": "您登记或修改过其中的客户，须由其他审批人复核",
    "stale": "该客户已被他人修改，请关闭后重新打开再修改",
    "kind_mismatch": "与客户类型不符（一般客户为经销单位或个人，特殊客户为律师、财务顾问等）",
    "wrong_document": "证件类型与客户类别不符（单位使用统一社会信用代码）",
    "required_registered": "在册客户必须填写证件号码",
    "future": "不能晚于今天",
    "notes_empty": "请写明本卷的情况（如缺损、修改、补充、移出、销毁等），不能为空或只写“无”",
    "before_latest_item": "不能早于卷内最晚一件文件的日期（{latest}）",
    "before_consent": "不能早于同意日期",
    "duplicate_id": "该证件号码已登记（客户编号 {number}），同一证件不能重复登记",
    "has_volumes": "该客户仍有档案案卷，须按销毁程序处理后才能删除",
    "checksum": "校验位不正确，请逐位核对",
    "id_15_digit": "这是旧版 15 位身份证号码，请填写现行 18 位号码",
    "id_region": "前 6 位地区码不存在",
    "id_region_unknown": "前 6 位地区码不在行政区划表中，请核对（已允许保存）",
    "id_birth_date": "第 7–14 位出生日期不是有效日期或晚于今天",
    "id_mismatch": "与身份证号码中的信息不一致",
    "uscc_authority": "第 1–2 位登记管理部门或机构类别代码不存在",
    "extension_on_mobile": "手机号码不能带分机号",
    "luhn": "未通过卡号校验（Luhn），请核对；对公账户可能不适用，已允许保存",
    "disabled": "该账户已停用，请先启用",
    "self_reset": "不能重置自己的密码，请使用“修改密码”",
    "unknown": "不是可设置的项目",
    "conflict": "{a}与{b}不能由同一人担任",
    "invalid_chars": "只能包含字母、数字、点、下划线和连字符",
    "file_type": "不支持的文件类型（按文件内容识别，与扩展名无关）。可以附加：{allowed}",
    "type_mismatch": (
        "文件内容是{detected}，扩展名却是“.{ext}”：扩展名与内容不符，已拒绝（可能是伪装的文件）。"
        "请核对文件，改正扩展名后再附加"
    ),
    "too_large": "超过大小上限 {max_mib} MiB",
    "file_empty": "文件为空，没有可保存的内容",
    "file_name_chars": "不能包含路径分隔符（/ \\）或控制字符",
}

Translator = Callable[[str], str]


def _identity(text: str) -> str:
    return text


def _fmt_params(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        out[key] = format_local(value) if isinstance(value, datetime) else value
    return out


def describe_field_error(error: FieldError, tr: Translator = _identity) -> str:
    """Return ``"<field label>：<reason>"`` in Chinese."""
    base, _, index = error.field.partition(".")
    label = tr(FIELD_LABELS.get(error.field, FIELD_LABELS.get(base, base)))
    if index.isdigit():
        label += tr("（第 {n} 项）").format(n=int(index) + 1)
    reason = tr(REASONS.get(error.reason, error.reason))
    with contextlib.suppress(KeyError, IndexError):
        reason = reason.format(**_fmt_params(error.params))
    return f"{label}：{reason}"


def describe(error: AppError, tr: Translator = _identity) -> str:
    """Return a complete Chinese message for ``error``."""
    template = tr(MESSAGES.get(error.code, MESSAGES["app_error"]))
    params = _fmt_params(error.params)
    if isinstance(error, ValidationFailed):
        params["details"] = "\n".join(describe_field_error(e, tr) for e in error.errors)
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
