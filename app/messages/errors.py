# ruff: noqa: E501  (Chinese text tables: wide characters count double)
"""Chinese templates of the typed errors (``AppError.code``), import details, audit breaks."""

from __future__ import annotations

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
    "database_unavailable": (
        "无法连接数据库服务器：{detail}。\n刚才的操作没有得到服务器的确认，不算已保存；"
        "已填写的内容仍在窗口中。请稍候再试一次（连接恢复后程序会自动重新连接），"
        "如一直无法连接，请检查网络和数据库地址。"
    ),
    "database_busy": "数据库正被其他程序占用：{path}\n请稍后重试。",
    "wrong_credentials": (
        "用户名或密码错误，或账户已被锁定。连续失败 {max_failures} 次后账户将被锁定 {minutes} 分钟。"
    ),
    "password_change_required": "该账户使用的是一次性密码，请先修改密码；修改前不能进行任何操作。",
    "keyring_busy": "钥匙环正被其他登录或其他工作站占用，已等待 {seconds} 秒仍未释放，请稍后重试。",
    "vault_missing": (
        "密钥库文件不见了：{path}\n没有它，客户的受保护信息无法读取。程序不会新建一个空的密钥库；"
        "请从备份中找回该文件，或联系系统管理员。"
    ),
    "vault_foreign": (
        "密钥库文件已损坏，或不属于这个数据库：{path}\n程序不会替换它。请从备份中找回正确的文件。"
    ),
    "database_in_use": ("数据库正被其他会话使用：{holders}\n请让他们先退出登录，再进行此操作。"),
    "account_disabled": "该账户已被系统管理员停用。",
    "customer_data_suspended": (
        "暂停使用客户信息（显示完整信息、导出、打印、借出）：{missing}。"
        "仍可登录查看工作台；请联系系统管理员补签保密协议或参加保密培训。"
    ),
    "open_holdings": "该账户仍有未交接的事项，不能停用：{items}。请先办理离职/调岗交接。",
    "person_confirmation_failed": "{who}确认未通过：{detail}",
    "permission_denied": "当前账户无权执行此操作：{action}",
    "copy_needs_approval": (
        "机密、绝密档案的复制（打印或另存）须由您本人持有经总经理批准、已登记借出且未到期的"
        "本件复制申请。他人的批准不适用；此处只能查看。此次尝试已记入审计日志。"
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
    "import_sheet_empty": (
        "工作表“{sheet}”是空的，没有表头也没有数据。请确认选择了正确的文件和工作表。"
    ),
    "import_too_large": "文件超出导入限制，已拒绝，未读取其内容：{what_text}",
    "import_has_rejections": (
        "选择了“全部导入或全部不导入”，但有 {rejected} 行未通过检查，因此一行也没有导入。"
        "请改正这些行，或选择“只导入通过检查的行，并导出未通过的行”。"
    ),
    "import_cancelled": "导入已取消，没有导入任何数据。",
    "import_undo_refused": "无法撤销这次导入：{reason_text}",
    # personal data lifecycle (issue 18)
    "purpose_refused": "不能将该客户的信息用于“{purpose}”：{why}。",
    "provision_refused": "不能对外提供：{why}。",
    # consultation and loans (issue 7)
    "self_approval_refused": "审批人不能审批本人的申请（本人申请或由本人登记的申请），请由其他审批人审批。",
    "approver_not_in_route": (
        "您的职务（{title}）不在该申请尚待审批的环节中。该申请还需要：{needed}。"
    ),
    # statistics reports (issue 19)
    "compiler_cannot_approve": "报表的编制人不能审查或批准自己编制的报表，请由其他审批人办理。",
    "report_step_not_yours": "您的职务（{title}）不在该报表尚待审批的环节中。还需要：{needed}。",
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
    "tls_required": (
        "已拒绝连接：数据库服务器 {host} 不在本机，连接必须加密（TLS），而地址中的 sslmode={mode} "
        "允许明文连接（密码和数据会在网络上被看到）。请去掉 sslmode（默认 verify-full，"
        "校验服务器证书），或改为 sslmode=verify-full。"
    ),
    "tls_failed": (
        "无法与数据库服务器 {host} 建立加密连接：{reason}。程序不会以明文连接不在本机的服务器；"
        "请让服务器管理员启用 SSL 并安装证书（见 docs/deployment.md）。"
    ),
    "pg_tool_missing": (
        "找不到 PostgreSQL 客户端工具 {tool}：请在本机安装 PostgreSQL 客户端"
        "（Debian/Ubuntu：postgresql-client；Windows：PostgreSQL 安装包中的命令行工具），"
        "并与服务器版本一致或更新。"
    ),
    "pg_tool_failed": "PostgreSQL 工具 {tool} 执行失败：{detail}",
    "restore_target_exists": (
        "恢复只能写入新的数据库：服务器上已有名为 {name} 的数据库（或它正是当前使用的数据库）。"
        "请换一个名称。"
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
    # trusted time and the sealed audit trail (issue 23)
    "clock_behind": (
        "本机时钟（{now}）早于数据库已记录的时间（{mark}），为防止倒填日期，未保存任何内容。"
        "请校准本机时钟后重试；如确认已记录的时间有误，请审计员会同另一名三员核对后重置时间基准。"
    ),
    "clock_ahead": (
        "本机时钟（{now}）比数据库已记录的时间（{mark}）快了 {days} 天，未保存任何内容。"
        "请校准本机时钟；如确实已停用这么久，请审计员会同另一名三员确认时间后继续。"
    ),
    "second_person_required": "此操作须由第二人（{roles}）输入其用户名和密码确认，且不能是本人：{detail}",
    "account_locked_reset": (
        "账户因多次登录失败已被锁定，须由系统管理员重置密码（或使用恢复密钥）后才能登录。"
    ),
    "audit_sealing_started": "审计验证密钥已经发放过，不会再次显示。如密钥遗失，请登记事件并报告。",
    # disposition (issue 17)
    "hold_in_force": "已被冻结，不能进行此操作：{holds}。须由审批人解除冻结后才能继续。",
    "disposition_refused": "{reason_text}",
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

# --- sealed audit trail (issue 23): what the verification key shows, by SealProblem.reason -----
SEAL_PROBLEMS: dict[str, str] = {
    "seal_gap": "第 {epoch} 期的封印不见了：该期的审计记录连同封印被删除。",
    "seal_duplicate": "第 {epoch} 期的封印出现了两次：有封印是伪造的。",
    "seal_forged": "第 {epoch} 期的封印与验证密钥不符（到第 {seq} 条）：封印或其记录被重写。",
    "seal_overlap": "第 {epoch} 期的封印与前一期不衔接（从第 {seq} 条起）：封印被伪造或调换。",
    "seal_mismatch": "第 {epoch} 期封印的第 {seq} 条记录与审计链不符：该期的记录被删除、修改后重算了审计链。",
    "seal_truncated": "第 {epoch} 期封印到第 {seq} 条，数据库中已没有这些记录：审计记录被截断。",
    "seal_tail_cut": "从第 {epoch} 期起的封印缺失，而封印状态已到更后的一期：审计记录的末尾连同封印被截去。",
    "state_missing": "找不到封印状态（或无法解密）：封印被删除或数据库被替换。",
    "state_rolled_back": "封印状态停在第 {epoch} 期，早于已有的封印：封印状态被换成了旧的副本。",
    "state_forged": "第 {epoch} 期的封印状态与验证密钥不符：封印状态被伪造或换成了其他数据库的。",
    "not_started": "此数据库尚未发放审计验证密钥（审计员首次登录时发放），审计记录尚未封印。",
    "wrong_database": "验证密钥属于另一个数据库（{database_id}）。",
    "key_unreadable": "验证密钥格式不正确。",
    "anchor_rolled_back": "审计链只到第 {head} 条，早于已知的锚点第 {seq} 条：数据库被换成了旧的副本（回滚）。",
    "anchor_mismatch": "第 {seq} 条审计记录与已知锚点不符：该条及之前的记录被改写。",
}

# Why a disposition step was refused (``DispositionRefused.reason``, issue 17).
DISPOSITION_REASONS: dict[str, str] = {
    "self_approval": "鉴定人和清册编制人不能审批该销毁清册，请由其他审批人审批。",
    "approver_not_in_route": "该销毁清册当前须由“{needed}”审批，您的职务（{title}）不在此步。",
    "witness_conflict": "监销人 {name} 是该清册的编制人或审批人，不能担任监销人。",
    "witness_count": "销毁须有两名不同的监销人在场确认。",
    "witness_not_staff": "监销人 {name} 不是有效的在职账户。",
    "method_sale": "档案不得当作废纸出售，只能以粉碎、焚烧或送指定机构等技术手段销毁。",
    "method_unknown": "销毁方式“{method}”不在允许的方式之内。",
    "list_closed": "销毁清册 {number} 已{state}，不能再修改；更正请追加备注。",
    "list_not_approved": "销毁清册 {number} 尚未批准（当前：{state}），不能执行销毁。",
    "list_empty": "销毁清册 {number} 没有案卷，不能提交。",
    "on_other_list": "案卷 {code} 已列入未完成的销毁清册 {number}。",
    "not_destroy_decision": "案卷 {code} 的鉴定结论不是“销毁”，不能列入销毁清册。",
    "appraisal_closed": "鉴定 {number} 已结束，不能再修改。",
    "appraisers": "鉴定须有至少两名不同的鉴定人。",
    "volume_unavailable": "案卷 {code} {why}，不能鉴定或销毁。",
    "not_expired": "案卷 {code} 的保管期限尚未届满（至 {until} 年）。",
    "release_own_hold": "冻结由您本人设置，须由其他审批人解除。",
    "hold_released": "冻结 {number} 已解除。",
    "hold_empty": "冻结须指定客户、案卷或查询条件。",
    "witness_password": "监销人 {name} 的密码不正确。",
}
