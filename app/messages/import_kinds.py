# ruff: noqa: E501  (Chinese text tables: wide characters count double)
"""Chinese texts of the volume and loan-register imports, the duplicate decisions and linking.

Kept apart from ``reasons`` and ``fields`` (merged into them by the package) so the import
kinds can grow their words without touching the shared tables.
"""

from __future__ import annotations

IMPORT_REASONS: dict[str, str] = {
    # volumes without customers (待关联)
    "unlinked_not_found": "没有找到这位客户，案卷将作为“待关联”导入，之后在“待关联案卷”中关联",
    "unlinked_ambiguous": "有 {count} 位客户叫这个名称，案卷将作为“待关联”导入，之后再选择客户",
    "unlinked_none": "台账没有写客户，案卷将作为“待关联”导入",
    "retention_mapped": "“{value}”不是现行保管期限，已按“{as}”导入，请核对",
    "term_mapped": "保密期限“{value}”已按该密级的法定期限 {years} 年导入，请核对",
    "place_missing": "位置 {code} 尚未建立：可先批量新建这些位置，否则案卷不上架导入，位置写入备注栏",
    "place_unparsed": "看不懂这个存放位置，案卷不上架导入，原文写入备注栏",
    # duplicates shown for a decision
    "duplicate_group": "与第 {rows} 行重复（{what}），请在“重复项”一步决定",
    "duplicate_existing": "与已登记的 {what} 重复（{number}），请在“重复项”一步决定",
    "skipped_by_decision": "按您的决定跳过",
    "kept_both": "按您的决定一并导入，已加备注",
    "id_kept_once": "同一证件号码只能登记一次（R3），只能导入其中一行",
    # loan register
    "volume_unknown": "没有这个档号的案卷",
    "before_loan": "早于借出日期",
    "line_twice": "与第 {row} 行完全相同（同一登记重复录入）",
    "open_twice": "该卷在第 {row} 行也未归还：同一卷不能同时借出两次",
    "volume_out": "该卷已借出（{loan}），未归还前不能再登记借出",
    "volume_gone": "该卷已销毁，不能登记借出",
    "loan_future": "借出日期不能晚于今天",
    # linking
    "already_linked": "该案卷已关联客户",
}

IMPORT_FIELDS: dict[str, str] = {
    "item_count": "件数",
    "date_range": "起止日期",
    "borrower": "借阅人",
    "loaned_on": "借出日期",
    "returned_on": "归还日期",
    "use_kind": "利用方式",
    "handled_by": "经办人",
    "decision": "重复项处理",
    "customer_id_number": "客户证件号码",
}
