"""《信访工作条例》(中共中央、国务院 2022-02-25 印发, 2022-05-01 施行) as data.

Every number and article below is checked against the full text
(shared/law-texts/信访工作条例(2022-02-25).md). Plain “日” is read as calendar
days; the text says “工作日” expressly for the 5-day objection (regulations.md
§4.2). All calendar-day limits roll forward over rest days (民法典第二百零三条,
by analogy).
"""

from __future__ import annotations

from datetime import date

from rules.citations import XINFANG_2022, Citation
from rules.deadlines import ClockKind, DayUnit, DeadlineRule, ExtensionPolicy
from rules.regulation import Regulation, RouteLaw
from rules.taxonomy import DeclineReason, HandlingScope, PetitionType, Route


def art(article: str) -> Citation:
    """A citation of 《信访工作条例》."""
    return Citation(XINFANG_2022, article)


CD, WD = DayUnit.CALENDAR, DayUnit.WORKING
OBLIGATION, WINDOW = ClockKind.OBLIGATION, ClockKind.WINDOW

RULES = (
    DeadlineRule(
        id="route",
        title="信访部门登记并转送、交办",
        citation=art("第二十二条第一款"),
        period_days=15,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="信访部门收到信访事项",
        notes="“各级党委和政府信访部门收到信访事项，应当予以登记，并区分情况，在15日内分别按照下列方式处理”",
    ),
    DeadlineRule(
        id="notice_direct",
        title="直接提出的信访事项书面告知",
        citation=art("第二十三条第二款"),
        period_days=15,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="机关、单位收到信访人直接提出的信访事项",
        notes="“不能当场告知的，应当自收到信访事项之日起15日内书面告知信访人，"
        "但信访人的姓名（名称）、住址不清的除外”",
    ),
    DeadlineRule(
        id="notice_transfer",
        title="转送、交办事项书面告知",
        citation=art("第二十三条第三款"),
        period_days=15,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="收到转送、交办的信访事项",
        notes="“应当自收到之日起15日内书面告知信访人接收情况以及处理途径和程序”",
    ),
    DeadlineRule(
        id="object",
        title="对转送、交办事项提出异议",
        citation=art("第二十三条第三款"),
        period_days=5,
        unit=WD,
        roll_forward=False,
        kind=WINDOW,
        starts_from="收到转送、交办的信访事项",
        notes="“不属于本机关、单位或者本系统职权范围的，有关机关、单位应当自收到之日起"
        "5个工作日内提出异议，并详细说明理由”。工作日计算，届满日必为工作日，无需顺延。",
    ),
    DeadlineRule(
        id="assign_feedback",
        title="交办事项反馈办理结果",
        citation=art("第二十二条第一款第三项"),
        period_days=None,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="信访部门交办信访事项",
        notes="“要求其在指定办理期限内反馈结果，提交办结报告”：期限由交办的信访部门逐案指定。",
    ),
    DeadlineRule(
        id="handle",
        title="申诉求决类事项办结",
        citation=art("第三十四条"),
        period_days=60,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="受理信访事项",
        # “经本机关、单位负责人批准，可以适当延长办理期限，但延长期限不得超过30日”: the text caps
        # the days of extension in total, not the number of approvals (max_times None).
        extension=ExtensionPolicy(
            max_total_days=30, max_times=None, requires_approval=True, citation=art("第三十四条")
        ),
        notes="“对本条例第三十一条第六项规定的信访事项应当自受理之日起60日内办结；情况复杂的，"
        "经本机关、单位负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并告知信访人延期理由。”"
        "[I] 本条限定的是延长期限合计不超过30日，未限定批准延长的次数："
        "多次批准的，延长天数合计计算。",
    ),
    DeadlineRule(
        id="notice_extension",
        title="告知延期理由",
        citation=art("第三十四条"),
        period_days=5,
        unit=WD,
        roll_forward=False,
        kind=OBLIGATION,
        starts_from="批准延长办理期限",
        notes="“……经本机关、单位负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并告知信访人延期理由。”"
        "[I] 告知的义务出自本条；条例未规定告知的期限。引擎设计选择（政策）：自批准延期之日起"
        "5个工作日内书面告知，使信访人在原办理期限届满前知道延期及其理由；地方规定可以另定。",
    ),
    DeadlineRule(
        id="duty",
        title="依法履行职责或者答复",
        citation=art("第三十一条第五项"),
        period_days=None,  # set per matter: the governing law's, else 60 days (policy)
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="有权处理的机关、单位决定依法履行或者答复",
        notes="“属于申请查处违法行为、履行保护人身权或者财产权等合法权益职责的，依法履行或者答复。”"
        "[I] 期限由所依据的法律确定：机关在分类时记录（classify 的 due_on）；未记录的，"
        "参照第三十四条按60日计算（政策，并在说明中写明）。",
    ),
    DeadlineRule(
        id="implement",
        title="支持信访请求意见的落实",
        citation=art("第三十二条第二款"),
        period_days=60,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="有权处理的机关、单位出具支持信访请求的处理意见",
        notes="“有权处理的机关、单位作出支持信访请求意见的，应当督促有关机关、单位执行”。"
        "[I] 本款规定了执行（落实）的义务，未规定期限。引擎设计选择（政策）：自出具支持意见之日起"
        "60日内落实，参照第三十四条的办理期限；地方规定可以另定（如《山东省信访条例》（2015）"
        "第四十一条第三款“督促有关国家机关或者单位限期执行”）。由出具意见的单位负责；"
        "复查、复核期间和事项办结后继续计算，复查、复核撤销原意见或者责令重新办理的停止计算。",
    ),
    DeadlineRule(
        id="review_request",
        title="请求复查",
        citation=art("第三十五条"),
        period_days=30,
        unit=CD,
        roll_forward=True,
        kind=WINDOW,
        starts_from="信访人收到书面答复（信访处理意见书）",
        notes="“信访人对信访处理意见不服的，可以自收到书面答复之日起30日内请求原办理机关、"
        "单位的上一级机关、单位复查。”",
    ),
    DeadlineRule(
        id="review",
        title="提出复查意见",
        citation=art("第三十五条"),
        period_days=30,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="收到复查请求",
        notes="“收到复查请求的机关、单位应当自收到复查请求之日起30日内提出复查意见，并予以书面答复。”",
    ),
    DeadlineRule(
        id="re_review_request",
        title="请求复核",
        citation=art("第三十六条第一款"),
        period_days=30,
        unit=CD,
        roll_forward=True,
        kind=WINDOW,
        starts_from="信访人收到复查意见书面答复",
        notes="“信访人对复查意见不服的，可以自收到书面答复之日起30日内向复查机关、"
        "单位的上一级机关、单位请求复核。”",
    ),
    DeadlineRule(
        id="re_review",
        title="提出复核意见",
        citation=art("第三十六条第一款"),
        period_days=30,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="收到复核请求",
        pausable=True,
        pause_citation=art("第三十六条第二款"),
        notes="“收到复核请求的机关、单位应当自收到复核请求之日起30日内提出复核意见。”"
        "第二款：“听证所需时间不计算在前款规定的期限内。”",
    ),
    DeadlineRule(
        id="redo",
        title="责令重新办理",
        citation=Citation("山东省信访条例", "第四十五条（参照；全国条例未规定，政策）"),
        period_days=None,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="复查、复核机关责令原办理机关重新办理",
        notes="[I] 引擎设计选择：条例未规定复查、复核的处理结果类型；参照地方实践"
        "（如《山东省信访条例》（2015）第四十五条“责令原办理、复查机关在指定期限内重新作出"
        "处理、复查意见”），期限由复查、复核机关逐案指定。",
    ),
)

REGULATION = Regulation(
    id="xinfang-2022",
    title="信访工作条例（2022）",
    instrument=XINFANG_2022,
    effective_from=date(2022, 5, 1),  # 第五十条
    effective_to=None,
    handling_scope=HandlingScope.CLAIMS_ROUTED_PETITION,
    rules=RULES,
    max_representatives=5,
    representatives_citation=art("第二十条第三款"),
    finality_citation=art("第三十六条第三款"),
    confidentiality_citation=art("第三十条第三款"),
    decline_grounds={
        DeclineReason.FINALIZED: art("第三十六条第三款"),
        DeclineReason.NOT_IN_JURISDICTION: art("第二十三条第一款"),
        DeclineReason.BYPASSED_LEVEL: art("第二十条第一款"),
        # Refined by the process named on the decline (第三十一条第一项 to 第四项).
        DeclineReason.IN_STATUTORY_PROCESS: art("第三十一条"),
        DeclineReason.DUPLICATE: art("第十九条第三款"),
    },
    routes={
        (PetitionType.SUGGESTION, Route.PETITION): RouteLaw(
            art("第二十九条第一款"),
            "建议意见类：有权处理的机关、单位认真研究论证，采纳或者部分采纳的予以回复；"
            "不适用第三十四条办理期限，不适用复查、复核。",
        ),
        (PetitionType.ACCUSATION, Route.PETITION): RouteLaw(
            art("第三十条第一款"),
            "检举控告类：有权处理的机关、单位依规依纪依法接收、受理、办理和反馈；"
            "不适用第三十四条办理期限；检举材料不得透露或者转给被检举人（第三十条第三款）。",
        ),
        (PetitionType.ACCUSATION, Route.DISCIPLINE): RouteLaw(
            art("第二十二条第二款"),
            "属于纪检监察机关受理的检举控告类事项，按照管理权限转送有关纪检监察机关依规依纪依法处理。",
        ),
        (PetitionType.ACCUSATION, Route.LITIGATION): RouteLaw(
            art("第二十八条第二款"),
            "涉及诉讼权利救济的事项（如刑事控告）实行诉访分离，由有关政法部门依法处理。",
        ),
        (PetitionType.CLAIM, Route.LITIGATION): RouteLaw(
            art("第三十一条第一项"),
            "应当通过诉讼、复议、检察、公安等法律程序处理的，按照法律法规规定的程序处理（诉访分离）。",
        ),
        (PetitionType.CLAIM, Route.ARBITRATION): RouteLaw(
            art("第三十一条第二项"), "应当通过仲裁解决的，导入相应程序处理。"
        ),
        (PetitionType.CLAIM, Route.PARTY_APPEAL): RouteLaw(
            art("第三十一条第三项"), "可以通过党员申诉、申请复审等解决的，导入相应程序处理。"
        ),
        (PetitionType.CLAIM, Route.ADMINISTRATIVE): RouteLaw(
            art("第三十一条第四项"),
            "可以通过行政复议、行政裁决、行政确认、行政许可、行政处罚等行政程序解决的，导入相应程序处理。",
        ),
        (PetitionType.CLAIM, Route.DUTY): RouteLaw(
            art("第三十一条第五项"),
            "属于申请查处违法行为、履行保护人身权或者财产权等合法权益职责的，依法履行或者答复。",
        ),
        (PetitionType.CLAIM, Route.PETITION): RouteLaw(
            art("第三十一条第六项"),
            "听取陈述、调查核实，出具信访处理意见书；自受理之日起60日内办结（第三十四条），"
            "信访人可以请求复查、复核（第三十五条、第三十六条）。",
        ),
    },
    unavailable_routes={},
)
