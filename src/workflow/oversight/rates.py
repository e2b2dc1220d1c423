"""The rates units are assessed on, each with its numerator, denominator and definition.

The national texts define none of these formulas. They follow the Guangdong petition
system's code (regulations.md §3.7, confidence [C]) where it has one, and a stated
analogy where it has none; every choice is in ``definition`` so the figure explains
itself (docs/supervision.md has the same text). All are computed over one subtree (or
one unit) and one period [start, end], as known today: ``today`` decides what is still
running and what has expired.

Cohorts:
- acceptance, completion and implementation: the clocks that *started* in the period
  (the deadline's trigger day), attributed to the unit responsible for them;
- evaluation and satisfaction: the replies *delivered* in the period, attributed to the
  replying unit;
- repeat rate: the matters *registered* in the period, attributed to the intake unit;
- backlog resolution: the matters in the backlog at some moment of the period,
  attributed to the unit holding them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, and_, func, select, true

from workflow.adapters.repository import CASES, DEADLINES
from workflow.oversight import backlog
from workflow.oversight.board import Scope, case_when

ACCEPTANCE_RULES = ("notice_direct", "notice_transfer")
COMPLETION_RULES = ("handle", "redo")
IMPLEMENTATION_RULES = ("implement",)


@dataclass(frozen=True)
class Rate:
    key: str
    title: str
    numerator: int
    denominator: int
    definition: str
    breakdown: dict[str, int] = field(default_factory=dict)

    @property
    def definition_zh(self) -> str:
        """The same definition in Chinese, for the people assessed by it."""
        return DEFINITIONS_ZH[self.key]

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


DEFINITIONS_ZH = {
    "timely_acceptance": (
        "统计期内开始计时的受理告知期限（收到转送、交办或直接收到信访事项后15日内决定是否受理"
        "并告知，《信访工作条例》第二十二条、第二十三条），计入作出决定的单位：按期作出决定数"
        " ÷（按期 + 超期作出 + 超期未作出 + 尚在期限内）。在期限内作出不予受理决定的，视为按"
        "期。期限以书面告知（“书面告知”操作）为准，仅受理而未告知的不视为按期。"
        "参照广东信访系统“及时受理 / 总数”的口径。"
    ),
    "on_time_completion": (
        "统计期内开始计时的办理期限（60日，经批准可延长不超过30日，《信访工作条例》第三十四条"
        "；以及复查机关责令重新办理的期限），计入办理单位：按期答复数 ÷（按期 + 超期答复 + 超"
        "期未答复 + 尚在期限内）。参照广东信访系统“按期答复率”的口径，分母含未答复事项。"
    ),
    "implementation": (
        "统计期内出具支持信访请求意见的事项（《信访工作条例》第三十二条第二款“应当督促有关机关、"
        "单位执行”），计入出具意见的单位：按期落实数 ÷（按期 + 超期落实 + 超期未落实 + 尚在期限"
        "内）。"
        "落实期限为60日，条例未规定，属引擎设计选择（政策）；复查、复核撤销原意见或者责令重新办理"
        "的不计入。"
    ),
    "evaluation": (
        "统计期内送达答复意见的事项，计入答复单位：已评价数 ÷（已评价 + 评价期届满未评价）。"
        "评价期自送达之日起计算（天数为系统设置，国家规定的评价期限尚未核实）；仍在评价期内的"
        "不计入。未评价不视为满意。参照广东信访系统“已评价 /（已评价 + 超期未评价）”的口径。"
    ),
    "satisfaction": (
        "上述已评价事项中：（满意 + 基本满意）÷ 已评价数。一件事项计一次评价，计入答复单位（谁初"
        "次办理、谁接受评价）：以信访人本人的最近一次评价为准；本人未评价的，以代为录入的最近一"
        "次评价为准（群众主导的评价）。by_petitioner 为信访人本人评价的件数。"
    ),
    "repeat": (
        "统计期内在本范围单位登记的信访事项中，与此前事项为同一信访人（身份证号）同一诉求、或"
        "由登记人员指明的重复信访件数 ÷ 登记总数。数值越低越好。"
    ),
    "backlog_resolution": (
        "统计期内曾属积案的事项（未办结满设定天数，或重复信访达到设定次数；两者均为系统设置）"
        "，计入持有单位：至统计期末已办结（办结、复核终结、撤回、不予受理或导入其他程序）的件"
        "数 ÷ 积案总数。"
    ),
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    today: date


def _clocks(conn: Connection, scope: Scope, period: Period, rules: Sequence[str]) -> dict[str, int]:
    d = DEADLINES
    met = d.c.met_on.is_not(None)
    unmet = and_(d.c.met_on.is_(None), d.c.status.in_(("pending", "breached", "paused")))
    query = select(
        func.sum(case_when(and_(met, d.c.met_on <= d.c.due_on))).label("on_time"),
        func.sum(case_when(and_(met, d.c.met_on > d.c.due_on))).label("late"),
        func.sum(case_when(and_(unmet, d.c.due_on < period.today))).label("overdue"),
        func.sum(case_when(and_(unmet, d.c.due_on >= period.today))).label("running"),
    ).where(
        d.c.rule.in_(list(rules)),
        d.c.trigger_on >= period.start,
        d.c.trigger_on <= period.end,
        scope.on(d, "responsible_unit", "responsible_path"),
    )
    row = conn.execute(query).mappings().one()
    return {key: int(row[key] or 0) for key in ("on_time", "late", "overdue", "running")}


def _clock_rate(
    conn: Connection,
    scope: Scope,
    period: Period,
    rules: Sequence[str],
    key: str,
    title: str,
    definition: str,
) -> Rate:
    b = _clocks(conn, scope, period, rules)
    return Rate(key, title, b["on_time"], sum(b.values()), definition, b)


def timely_acceptance(conn: Connection, scope: Scope, period: Period) -> Rate:
    return _clock_rate(
        conn,
        scope,
        period,
        ACCEPTANCE_RULES,
        "timely_acceptance",
        "及时受理率",
        "Acceptance decisions (rules notice_direct and notice_transfer: decide whether to "
        "accept and tell the petitioner within 15 days, 《信访工作条例》第二十二条、第二十三"
        "条) whose clock started in the period, attributed to the deciding unit: decided on "
        "time / all of them (on time + late + overdue undecided + still running), as in the "
        "Guangdong system's 及时受理 / 总数. The clock is met by the written notice (action "
        "notify), not by the acceptance alone; a decline decided in time is a timely decision.",
    )


def on_time_completion(conn: Connection, scope: Scope, period: Period) -> Rate:
    return _clock_rate(
        conn,
        scope,
        period,
        COMPLETION_RULES,
        "on_time_completion",
        "按期办结率",
        "Handling clocks (60 days plus an approved extension, 《信访工作条例》第三十四条; "
        "and redo periods a reviewer sets) that started in the period, attributed to the "
        "handling unit: answered on time / all of them (on time + late + overdue unanswered "
        "+ still running), by analogy with the Guangdong 按期答复率, whose denominator also "
        "counts unanswered matters.",
    )


def implementation(conn: Connection, scope: Scope, period: Period) -> Rate:
    return _clock_rate(
        conn,
        scope,
        period,
        IMPLEMENTATION_RULES,
        "implementation",
        "落实率",
        "Implementation checks (supported claims to be carried out, 《信访工作条例》第三十二条"
        "第二款 “应当督促有关机关、单位执行”) that started in the period, attributed to the unit "
        "that issued the supported opinion: carried out on time / all of them (on time + late "
        "+ overdue + still running). The 60-day period is the engine's policy: the text sets "
        "none. Checks a review set aside (revoked, or redone) are left out.",
    )


def _replies(conn: Connection, scope: Scope, period: Period, window_days: int) -> dict[str, int]:
    c = CASES
    evaluated = c.c.evaluated_on.is_not(None)
    own = and_(evaluated, c.c.evaluation_source == "petitioner")
    expired = and_(
        c.c.evaluated_on.is_(None), c.c.replied_on < period.today - timedelta(days=window_days)
    )
    query = select(
        func.count().label("replied"),
        func.sum(case_when(evaluated)).label("evaluated"),
        func.sum(case_when(expired)).label("expired"),
        func.sum(case_when(and_(evaluated, c.c.satisfied == true()))).label("satisfied"),
        func.sum(case_when(own)).label("by_petitioner"),
    ).where(
        c.c.replied_on >= period.start,
        c.c.replied_on <= period.end,
        scope.on(c, None, "replied_path"),
    )
    row = conn.execute(query).mappings().one()
    keys = ("replied", "evaluated", "expired", "satisfied", "by_petitioner")
    return {key: int(row[key] or 0) for key in keys}


def evaluation(conn: Connection, scope: Scope, period: Period, window_days: int) -> list[Rate]:
    r = _replies(conn, scope, period, window_days)
    pending = r["replied"] - r["evaluated"] - r["expired"]
    participation = Rate(
        "evaluation",
        "参评率",
        r["evaluated"],
        r["evaluated"] + r["expired"],
        "Replies delivered in the period, attributed to the replying unit: evaluated / "
        f"(evaluated + window expired without evaluation); the window is {window_days} days "
        "after delivery (a setting: the national measures' window is not confirmed). "
        "Replies still inside the window are left out, as in the Guangdong system (已评价 / "
        "(已评价 + 超期未评价)); silence is never counted as satisfied. by_petitioner: "
        "evaluated by the petitioner alone (public route); on_behalf: recorded for them by a "
        "registrar or petition bureau.",
        {
            "replied": r["replied"],
            "evaluated": r["evaluated"],
            "expired": r["expired"],
            "in_window": pending,
            "by_petitioner": r["by_petitioner"],
            "on_behalf": r["evaluated"] - r["by_petitioner"],
        },
    )
    satisfaction = Rate(
        "satisfaction",
        "满意率",
        r["satisfied"],
        r["evaluated"],
        "Of the evaluated replies above: satisfied or basically satisfied (满意 + 基本满意) / "
        "evaluated, as in the Guangdong system. One evaluation per matter counts, attributed "
        "to the replying unit (谁初次办理、谁接受评价): the petitioner's own latest; without "
        "one, the latest recorded on their behalf (群众主导的评价). by_petitioner: how many of "
        "the evaluated were the petitioner's own.",
        {
            "satisfied": r["satisfied"],
            "dissatisfied": r["evaluated"] - r["satisfied"],
            "by_petitioner": r["by_petitioner"],
        },
    )
    return [participation, satisfaction]


def repeat_rate(conn: Connection, scope: Scope, period: Period) -> Rate:
    c = CASES
    query = select(
        func.count().label("registered"),
        func.sum(case_when(c.c.repeat_of.is_not(None))).label("repeats"),
    ).where(
        c.c.received_day >= period.start.toordinal(),
        c.c.received_day <= period.end.toordinal(),
        scope.on(c, "intake_unit", "intake_path"),
    )
    row = conn.execute(query).mappings().one()
    registered, repeats = int(row["registered"] or 0), int(row["repeats"] or 0)
    return Rate(
        "repeat",
        "重复信访率",
        repeats,
        registered,
        "Matters registered in the period at units of the scope: those linked as a repeat "
        "of an earlier matter (same petitioner ID number and subject, or named by the "
        "registrar; 重复信访) / all registered. A lower figure is better.",
        {"registered": registered, "repeats": repeats},
    )


def backlog_resolution(
    conn: Connection, scope: Scope, period: Period, policy: backlog.BacklogPolicy
) -> Rate:
    until = min(period.end, period.today)
    found = backlog.matters(conn, scope, policy, until=until, since=period.start, open_only=False)
    resolved = sum(1 for m in found if m.ended_on is not None and m.ended_on <= until)
    return Rate(
        "backlog_resolution",
        "积案化解率",
        resolved,
        len(found),
        "Matters in the backlog (积案: open "
        f"{policy.age_days} days, or petitioned about again {policy.repeats} times; both "
        "settings) at some moment of the period, attributed to the holding unit: those that "
        "ended (closed, concluded, withdrawn, declined or diverted) by the end of the "
        "period / all of them.",
        {"backlog": len(found), "resolved": resolved, "open": len(found) - resolved},
    )


def all_rates(
    conn: Connection,
    scope: Scope,
    period: Period,
    *,
    evaluation_window_days: int,
    policy: backlog.BacklogPolicy,
) -> list[Rate]:
    return [
        timely_acceptance(conn, scope, period),
        on_time_completion(conn, scope, period),
        implementation(conn, scope, period),
        *evaluation(conn, scope, period, evaluation_window_days),
        repeat_rate(conn, scope, period),
        backlog_resolution(conn, scope, period, policy),
    ]
