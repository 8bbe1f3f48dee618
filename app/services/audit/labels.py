"""How entries read for people: Chinese names of actions and objects, details as text."""

from __future__ import annotations

import json
from typing import Any

ACTION_LABELS: dict[str, str] = {
    "auth.sign_in": "登录",
    "auth.sign_out": "退出登录",
    "auth.sign_in_failed": "登录失败",
    "auth.account_locked": "账户锁定",
    "auth.sign_in_refused": "登录被拒（账户停用）",
    "auth.idle_lock": "空闲锁定",
    "auth.manual_lock": "手动锁定",
    "auth.unlock": "解锁",
    "system.setup": "初始化数据库",
    "user.create": "新建用户",
    "user.set_roles": "修改角色",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "user.reset_password": "重置密码",
    "user.change_password": "修改密码",
    "user.recover_access": "用恢复密钥恢复访问",
    "settings.update": "修改安全设置",
    "settings.reference_pattern": "修改档号规则",
    "customer.create": "登记客户",
    "customer.update": "修改客户",
    "customer.status": "变更客户状态",
    "customer.reveal": "显示完整信息",
    "customer.delete": "删除客户",
    "customer.duplicate_cleared": "复核疑似重复",
    "volume.create": "新建案卷",
    "volume.update": "修改案卷",
    "item.create": "新增件",
    "secrecy.extend": "延长保密期限",
    "secrecy.declassify": "到期解密",
    "catalogue.view_classified": "查看机密/绝密案卷",
    "file.attach": "附加电子文件",
    "file.open": "打开电子文件",
    "file.fixity_failed": "电子文件校验失败",
    "file.missing": "电子文件缺失",
    "file.orphans_removed": "清理无主文件",
    "file.save": "另存电子文件副本",
    "file.print": "打印电子文件",
    "file.copy_refused": "拒绝复制涉密电子文件",
    "print.catalogue": "打印卷内目录",
    "print.note": "打印卷内备考表",
    "export.volumes": "导出案卷目录",
    "demo.generate": "生成演示数据",
    "audit.export": "导出审计记录",
    "audit.archive": "归档审计记录",
    "audit.chain_sealed": "审计链启用",
    "audit.verify_failed": "审计链校验失败",
    "incident.record": "登记事件",
    "incident.update": "更新事件",
    "print.incident": "打印事件报告",
}
OBJECT_LABELS: dict[str, str] = {
    "customer": "客户",
    "volume": "案卷",
    "item": "件",
    "item_file": "电子文件",
    "user": "用户",
    "settings": "设置",
    "setting": "设置",
    "database": "数据库",
    "audit": "审计记录",
    "incident": "事件",
}


def action_label(action: str) -> str:
    """The Chinese name of an action (the code itself when none is known)."""
    return ACTION_LABELS.get(action, action)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}={_plain(v)}" for k, v in value.items())
    return "（空）" if value is None or value == "" else str(value)


def details_text(details: str) -> str:
    """An entry's details for people: ``field：before → after`` for changes, ``key=value`` else."""
    if details in ("", "{}"):
        return ""
    try:
        data = json.loads(details)
    except ValueError:
        return details
    if not isinstance(data, dict):
        return _plain(data)
    parts = []
    for key, value in data.items():
        if isinstance(value, dict) and set(value) == {"before", "after"}:
            parts.append(f"{key}：{_plain(value['before'])} → {_plain(value['after'])}")
        else:
            parts.append(f"{key}={_plain(value)}")
    return "；".join(parts)
