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
    # storage locations and moves (issue 6)
    "room": "库房",
    "unit_kind": "类型",
    "shelf": "密集架",
    "cabinets": "柜号",
    "cabinet_prefix": "柜编码前缀",
    "columns": "列",
    "faces": "面",
    "sections": "节",
    "layers": "层",
    "positions": "每层位数",
    "capacity": "容量",
    "custodian": "保管人",
    "category_code": "门类",
    "location": "存放位置",
    "box": "档案盒",
    "selection": "所选项目",
    "places": "保管位置",
    "witness": "监交人",
    "shelf_pattern": "密集架编码规则",
    "cabinet_pattern": "柜编码规则",
    "order": "排架顺序",
    "secure": "保密柜",
    # labels (issue 6)
    "stock": "标签纸",
    "stock_name": "标签纸名称",
    "stock_page_width": "纸宽",
    "stock_page_height": "纸高",
    "stock_label_width": "标签宽",
    "stock_label_height": "标签高",
    "stock_rows": "行数",
    "stock_columns": "列数",
    "stock_top_margin": "上边距",
    "stock_left_margin": "左边距",
    "stock_gap_x": "列间距",
    "stock_gap_y": "行间距",
    "stock_corner_radius": "圆角半径",
    "start_row": "起始行",
    "start_column": "起始列",
    "start_position": "起始位置",
    "labels": "标签",
    "output": "输出方式",
    # import (issue 10)
    "row": "行",
    "customer_number": "客户编号",
    "customer_id_number": "客户证件号码",
    "customer_name": "客户名称",
    "volume_title": "案卷题名",
    "seq": "件号",
    "pages": "页号",
    "phone2": "电话",
    "bank_name": "开户银行",
    # audit trail and incidents (issue 9)
    "date_from": "起始日期",
    "date_to": "截止日期",
    "filter": "筛选条件",
    "retention_days": "审计记录保存期",
    "incident_title": "事件名称",
    "found_at": "发现时间",
    "found_by": "发现人",
    "description": "事件经过",
    "measures": "已采取的措施",
    "reported_to": "报告对象",
    "follow_up": "后续处理",
    "affected": "涉及的客户/案卷",
    # consultation and loans (issue 7)
    "use_kind": "利用方式",
    "use_purpose": "利用目的",
    "applicant": "利用者",
    "applicant_name": "利用者姓名",
    "applicant_user_id": "利用者（本单位人员）",
    "unit": "单位",
    "department": "部门",
    "credential": "证件类型（介绍信/工作证）",
    "credential_number": "介绍信/工作证编号",
    "requested_until": "借阅期限",
    "requested_from": "开始日期",
    "volumes": "利用的案卷",
    "items": "卷内文件序号",
    "page_count": "页数",
    "copies": "份数",
    "application": "利用申请",
    "opinion": "审批意见",
    "loan": "借阅登记",
    "scan": "扫码",
    "due_on": "应还日期",
    "counted_pages": "清点页数",
    "counted_items": "清点件数",
    "condition": "完好情况",
    "counted_face_to_face": "当面点清",
    "report": "损坏/遗失报告",
    "resolution": "处理结果",
    "loan_days": "借期（天）",
    "loan_max_days": "制度规定的最长借期（天）",
    "loan_working_days": "按工作日计算",
    "loan_holidays": "节假日",
    "loan_escalation_days": "逾期几天后告知部门负责人",
    "loan_routing": "审批路线",
    "date_range": "日期范围",
    # inspections (issue 8)
    "inspection_kind": "检查类型",
    "scope": "检查范围",
    "inspected_on": "检查日期",
    "inspectors": "检查人",
    "checklist": "检查项目",
    "climate_t": "温度范围",
    "climate_rh": "相对湿度范围",
    "climate_swing": "日波动",
    "difference_note": "差异说明",
    "check_note": "检查项目说明",
    "temperature": "温度（°C）",
    "humidity": "相对湿度（%）",
    "taken_at": "测量时间",
    "condition_kind": "问题类型",
    "condition_description": "问题描述",
    "task_kind": "修复方式",
    "task_due_on": "完成期限",
    "responsible": "责任人",
    "task": "修复任务",
    "inspection": "库房检查",
    "room_type": "库房类型",
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
    # import and export (issue 10)
    "import_format_unsupported": (
        "不能导入“{suffix}”文件。可以导入 Excel 工作簿（.xlsx；装有 python-calamine 时也可导入"
        "旧版 .xls 和 WPS .et）和 CSV 文件。其他格式或无法识别的旧版文件，请先在 Excel 或 WPS 中"
        "“另存为”.xlsx 格式再导入。"
    ),
    "import_file_unreadable": (
        "无法读取该文件（{detail}）：文件可能已损坏、已加密或不是它的扩展名所说的格式。"
        "请在 Excel 或 WPS 中打开检查，另存为 .xlsx 后再试。"
    ),
    "import_too_large": "文件超出导入限制，已拒绝，未读取其内容：{what_text}",
    "import_has_rejections": (
        "选择了“全部导入或全部不导入”，但有 {rejected} 行未通过检查，因此一行也没有导入。"
        "请改正这些行，或选择“只导入通过检查的行，并导出未通过的行”。"
    ),
    "import_cancelled": "导入已取消，没有导入任何数据。",
    "import_undo_refused": "无法撤销这次导入：{reason_text}",
    # consultation and loans (issue 7)
    "self_approval_refused": "审批人不能审批本人的申请（本人申请或由本人登记的申请），请由其他审批人审批。",
    "approver_not_in_route": (
        "您的职务（{title}）不在该申请尚待审批的环节中。该申请还需要：{needed}。"
    ),
    "application_not_approved": "该申请尚未审批通过（当前：{state}），不能借出。",
    "volume_already_out": "案卷 {reference_code} 已{state}（登记号 {loan}），不能再次借出。",
    "loan_scan_rejected": "{detail}",
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
    # inspections (issue 8)
    "inspection_state_refused": "该检查当前为“{status}”，不能{step}。",
    "inspection_paused": "检查 {number} 已暂停，请先点“继续”再操作。",
    "inspection_unresolved": (
        "还有 {count} 项差异未处理，不能结束检查。请逐项处理（归位、报失或说明），"
        "或勾选“未处理的差异转下次检查”后再结束。"
    ),
    "volume_not_available": "案卷 {reference_code} 当前为“{state}”，不能送修。请先办理归还或等待修复完成。",
    "app_error": "操作失败。",
    # storage locations and moves (issue 6)
    "location_object_not_found": "找不到该{what}，可能已被删除。",
    "secure_location_required": (
        "{level}档案不能放在 {target}：机密、绝密档案只能存放在保险柜或涉密专柜（专人保管）。"
        "可以放入：{allowed}"
    ),
    "place_full": "{code} 已放满，请选择其他位置。",
    "scan_rejected": "扫描内容的校验位不正确（可能是误读或标签损坏），已拒绝。请重新扫描。",
    "scan_not_found": "扫描的编码 {code} 在本档案室中不存在。",
    "bulk_move_refused": (
        "批量移动共 {total} 项，其中 {bad} 项不能执行（第一项：{first}），"
        "全部未移动。请在预览中处理这些项目后重试。"
    ),
    "undo_refused": "不能撤销上一次批量移动：{why}。",
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
    # storage locations and moves (issue 6)
    "codes_taken": "以下编码已被其他位置使用：{codes}……请调整编码规则或范围",
    "nothing_new": "这些位置都已存在，没有要新建的",
    "not_archivist": "保管人须为在用的档案管理员",
    "use_handover": "更换保管人须办理交接（生成逐件交接清单），请使用“保管交接”",
    "below_used": "不能小于已存放的数量（{used}）",
    "holds_classified": "此处存放着 {n} 卷机密/绝密档案，须先移入其他保密柜才能取消保密标记",
    "not_empty": "该位置（或其下位置）存放着档案或已有移动记录，不能删除",
    "not_slot": "{code} 不能直接存放档案盒，请选择一个层或位",
    "same_place": "已在该位置",
    "restricted": "您的涉密级别不足，无权移动该案卷",
    "volume_on_loan": "案卷已借出，归还后才能移动",
    "volume_destroyed": "案卷已销毁",
    "full": "{code} 已放满",
    "box_full": "档案盒已装满",
    "secure_required": "{level}档案只能放入保险柜或涉密专柜",
    "no_free_place": "没有合适的空位（机密/绝密须放入有空位的保险柜或涉密专柜）",
    "one_target": "请选择档案盒或存放位置中的一个",
    "too_many_items": "一次最多 {max} 项",
    "not_grid": "{code} 不是密集架的一面或一个柜",
    "not_secure": "只能交接有保管人的保险柜或涉密专柜",
    "several_custodians": "所选位置属于不同的保管人，请分别交接",
    "same_person": "接收人与移交人是同一人",
    "place_in_file": "同一案卷的第 {row} 行写了另一个存放位置",
    # labels (issue 6)
    "builtin_stock": "内置标签纸不能修改或删除；如需调整，请新建一种标签纸",
    "labels_empty": "没有要打印的标签",
    "scan_chars": "编码“{code}”含扫码枪无法输入的字符，不能制作二维码",
    "extra_lines": "附加行最多 {max} 行",
    "number": "请输入数字（毫米）",
    "mm_range": "应在 {min} 到 {max} 毫米之间",
    "mm_at_least": "不能小于 {min} 毫米",
    "corner_too_large": "不能大于标签短边的一半",
    "too_wide_for_page": "标签排不下：左边距 + 各列标签宽 + 列间距共 {need} 毫米，超过纸宽 {page} 毫米",
    "too_tall_for_page": "标签排不下：上边距 + 各行标签高 + 行间距共 {need} 毫米，超过纸高 {page} 毫米",
    "destroyed_no_label": "档号 {code} 的案卷已销毁，不再制作标签",
    # import and export (issue 10)
    "date_format": "不是可识别的日期（可写 2024-03-01、2024/3/1、2024年3月1日 或 Excel 日期）",
    "number_format": "不是整数",
    "choice": "无法识别“{value}”，可填：{expected}",
    "duplicate_in_file": "与本文件第 {row} 行的证件号码相同，同一证件不能重复登记",
    "code_in_file": "与本文件第 {row} 行的档号相同，但案卷信息不一致",
    "code_taken": "档号已存在于档案目录中，档号不能重复",
    "seq_in_file": "件号与本卷第 {row} 行重复",
    "customer_ambiguous": "有多位客户叫这个名称，请填写客户编号或证件号码",
    "customer_required": "请填写客户编号、证件号码或客户名称，以确定案卷属于哪位客户",
    "volume_rejected": "同一案卷的其他行有错误（第 {row} 行），整卷未导入",
    # audit trail and incidents (issue 9)
    "date_order": "不能早于起始日期",
    "too_many": "符合条件的记录超过 {max} 条，请缩小筛选范围",
    "retention_min": "不能短于 {min} 天",
    "nothing_to_archive": "没有早于保存期的审计记录",
    "unknown_code": "找不到客户编号或档号“{code}”",
    "stale_record": "记录已被他人修改，请重新打开后再修改",
    "archive_invalid": "不是本数据库的审计归档文件，或文件已被修改（签名或审计链不符）",
    # consultation and loans (issue 7)
    "outsider_credential": "外单位人员须登记介绍信或工作证",
    "outsider_unit": "外单位人员须填写所在单位",
    "staff_or_outsider": "请选择本单位人员，或登记外单位人员的姓名",
    "not_in_application": "不在本申请所列的案卷中",
    "already_issued": "本申请中的该案卷已经借出",
    "not_out": "该登记已归还注销",
    "before_today": "不能早于今天",
    "beyond_policy": "不能晚于 {latest}（借期最长 {days} 天）",
    "confirm_required": "请与利用者当面清点并确认",
    "counted_too_many": "不能多于应有的 {expected}",
    "unknown_kind": "未知的利用方式：{kind}",
    "bad_cell": "{cell} 的审批环节不正确",
    "needs_manager": "{cell} 须有客服部经理或更高职务审批的环节（R31）",
    "no_volumes": "至少选择一个案卷",
    "destroyed_volume": "案卷已销毁，不能利用",
    "renewal_pending": "已有一份续借申请正在审批",
    "not_a_loan": "只有外借可以续借",
    "already_resolved": "该报告已处理完毕",
    "not_found_scan": "没有找到与扫码对应的借出登记",
    "range_order": "开始日期不能晚于结束日期",
    "holiday_format": "节假日须为 YYYY-MM-DD 格式的日期",
    "loan_days_max": "不能超过制度规定的最长借期 {max} 天",
    "decided": "该申请已审批完毕",
    "no_approved_application": "没有等待借出该案卷的已批准申请（请先登记申请并审批）",
    "no_overdue": "没有逾期未还的借阅（已归还的借阅不发催还通知）",
    "signed_already": "您已在本申请上签过一个环节，其余环节须由其他审批人签",
    # inspections (issue 8)
    "not_future": "不能晚于今天",
    "unknown_user": "找不到该用户或已停用",
    "two_inspectors": "至少需要两名不同的检查人（本系统用户或填写姓名）",
    "scope_shelves": "请选择本库房中的一个或多个密集架/柜",
    "scope_face": "请选择本库房中的一个面（或一个柜）",
    "climate_range": "下限须小于上限，且在 {lo} 到 {hi} 之间",
    "climate_swing": "日波动须大于 0（温度不超过 20 °C，湿度不超过 50 %）",
    "checklist_size": "最多 {max} 项，每项不超过 100 个字符",
    "checklist_twice": "有重复的检查项目",
    "not_a_code": "这不是扫码枪输入的编码（应为标签上的二维码），请扫描标签",
    "difference_resolved": "该差异已处理",
    "needs_volume": "该差异不是登记在册的案卷，只能填写说明",
    "abnormal_note": "选择“异常”时须说明情况",
    "other_room": "不是本次检查的库房",
    "task_not_open": "只有待处理的任务可以送修",
    "task_done": "该任务已完成",
    "checklist_incomplete": "还有 {n} 项未填写（正常/异常）",
}

# import limits and undo refusals (issue 10): the detail of import_too_large / import_undo_refused
LIMIT_TEXTS: dict[str, str] = {
    "file": "文件大于 {limit} MiB。",
    "uncompressed": "解压后大于 {limit} MiB（可能是“压缩炸弹”文件）。",
    "ratio": "压缩比超过 {limit} 倍（可能是“压缩炸弹”文件）。",
    "rows": "超过 {limit} 行。请把工作表拆分成几个文件分批导入。",
    "columns": "超过 {limit} 列。请删除多余的列后再导入。",
}
UNDO_REASONS: dict[str, str] = {
    "not_found": "找不到这次导入。",
    "undone": "这次导入已经撤销过了。",
    "changed": "导入的记录之后已被修改、删除或使用（例如修改了客户、新建了案卷、添加了卷内文件或复核了疑似重复）。"
    "撤销会丢失这些后来的工作，因此不能整批撤销；请逐条处理。",
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
    if error.code == "import_too_large":
        params["what_text"] = tr(LIMIT_TEXTS.get(str(params.get("what")), "")).format(**params)
    if error.code == "import_undo_refused":
        params["reason_text"] = tr(UNDO_REASONS.get(str(params.get("reason")), ""))
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


# --- audit trail (issue 9): what verification found, by ChainBreak.reason -----------------------
AUDIT_BREAKS: dict[str, str] = {
    "modified": "{where}审计记录{ident}的内容或校验值与审计链不符：记录被修改、插入或调换了顺序。",
    "missing": "审计链在{where}处中断{ident}：之前的记录被删除或调换了顺序。",
    "inserted": "{where}审计记录{ident}重复出现：有记录被插入。",
    "unsealed": "{where}审计记录{ident}没有审计链序号：有记录在程序之外被插入。",
    "truncated": "审计记录被截断：检查点记录到第 {seq} 条，数据库中已没有该条及其后的记录。",
    "checkpoint_mismatch": "{where}审计记录{ident}与检查点不符：记录被替换。",
    "checkpoint_forged": "审计检查点文件中有无效的检查点（被修改或伪造）。",
    "checkpoint_missing": "审计检查点文件缺失或为空，无法确认审计记录未被截断。",
    "start_unanchored": "审计链从{where}开始{ident}，但没有与之相符的归档记录：之前的记录被删除。",
    "other": "{where}审计记录{ident}校验失败（{reason}）。",
    "unreadable": "审计记录无法读取，未能校验（数据库可能已损坏）。",
}
