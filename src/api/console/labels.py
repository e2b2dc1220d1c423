"""Chinese labels for what the console shows: roles, statuses, actions, problems."""

from __future__ import annotations

from workflow.domain.actor import Role

ROLES: dict[str, str] = {
    Role.REGISTRAR.value: "登记员",
    Role.HANDLER.value: "承办人",
    Role.SUPERVISOR.value: "督办人员",
    Role.AUDITOR.value: "审计人员",
    Role.ADMIN.value: "系统管理员",
}

DEADLINE_STATUS: dict[str, str] = {
    "pending": "计时中",
    "paused": "已中止计时",
    "met": "已按期完成",
    "breached": "已超期",
    "lapsed": "期限届满",
    "cancelled": "已撤销",
}

# A written opinion issued but not delivered: its petitioner's window has not started.
AWAITING_DELIVERY: dict[str, str] = {
    "reply": "书面答复已出具、尚未送达：复查申请期限自送达之日起算"
    "（《信访工作条例》第三十五条），送达后记录“送达”即开始计算。",
    "review": "复查意见已出具、尚未送达：复核申请期限自送达之日起算"
    "（《信访工作条例》第三十六条第一款），送达后记录“送达”即开始计算。",
    "re_review": "复核意见已出具、尚未送达。",
}

ITEM_ACTIONS: dict[str, str] = {
    "urge": "催办",
    "escalate": "督办",
    "report": "通报",
    "close": "销号",
}

CHANNELS: dict[str, str] = {
    "letter": "书信",
    "visit": "走访",
    "phone": "电话",
    "online": "网络",
    "fax": "传真",
    "email": "电子邮件",
}

# The problem types of the API, by slug: the console shows these titles and the detail.
PROBLEMS: dict[str, str] = {
    "validation-error": "提交的内容不符合要求",
    "unauthenticated": "需要登录",
    "not-found": "未找到（或不在您的管辖范围内）",
    "forbidden": "您的角色无权进行此操作",
    "method-not-allowed": "不支持的请求方式",
    "illegal-transition": "当前状态下不允许此操作",
    "window-lapsed": "期限已届满",
    "extension-limit": "已达延期上限",
    # Declined as a duplicate (不予受理, 第十九条第三款) or as final (不再受理, 第三十六条第三款).
    "repeat-petition": "重复信访事项（不予受理或不再受理）",
    "confidentiality": "检举控告事项不得转给被检举单位或其下属单位",
    "version-conflict": "事项已被他人修改，请刷新后重试",
    "idempotency-key-reused": "请求重复",
    "payload-too-large": "提交的内容过大",
    "unsupported-media-type": "提交格式不正确",
    "rate-limited": "请求过于频繁，请稍后再试",
    "integrity-failure": "数据完整性校验失败",
    "internal-error": "系统内部错误",
    "csrf": "表单已失效，请刷新页面后重新提交",
}


def problem_title(slug: str) -> str:
    return PROBLEMS.get(slug, "操作失败")


def role(value: str) -> str:
    return ROLES.get(value, value)
