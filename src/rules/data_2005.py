"""《信访条例》(国务院令第431号, 2005-01-10 公布, 2005-05-01 施行) as data.

Used for events before 2022-05-01, when 《信访工作条例》 took effect. Every number
and article is checked against shared/law-texts/信访条例(2005-01-10).md. The
2005 regulation covers only governments and their departments (第二条) and
applies the 60-day limit to every accepted matter (第三十三条).
"""

from __future__ import annotations

from datetime import date

from rules.citations import XINFANG_2005, Citation
from rules.deadlines import ClockKind, DayUnit, DeadlineRule, ExtensionPolicy
from rules.regulation import Regulation, RouteLaw
from rules.taxonomy import DeclineReason, HandlingScope, PetitionType, Route


def art(article: str) -> Citation:
    """A citation of 《信访条例》 (2005)."""
    return Citation(XINFANG_2005, article)


CD, WD = DayUnit.CALENDAR, DayUnit.WORKING
OBLIGATION, WINDOW = ClockKind.OBLIGATION, ClockKind.WINDOW

RULES = (
    DeadlineRule(
        id="route",
        title="信访工作机构登记并转送、交办",
        citation=art("第二十一条第一款"),
        period_days=15,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="信访工作机构收到信访事项",
        notes="“县级以上人民政府信访工作机构收到信访事项，应当予以登记，并区分情况，"
        "在15日内分别按下列方式处理”",
    ),
    DeadlineRule(
        id="notice_direct",
        title="直接提出的信访事项书面告知",
        citation=art("第二十二条第二款"),
        period_days=15,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="行政机关收到信访人直接提出的信访事项",
        notes="“不能当场答复的，应当自收到信访事项之日起15日内书面告知信访人。"
        "但是，信访人的姓名(名称)、住址不清的除外。”",
    ),
    DeadlineRule(
        id="notice_transfer",
        title="转送、交办事项决定是否受理并书面告知",
        citation=art("第二十一条第二款"),
        period_days=15,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="收到转送、交办的信访事项",
        notes="“有关行政机关应当自收到转送、交办的信访事项之日起15日内决定是否受理并书面告知信访人”",
    ),
    DeadlineRule(
        id="assign_feedback",
        title="交办事项反馈办理结果",
        citation=art("第二十一条第一款第四项"),
        period_days=None,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="信访工作机构交办信访事项",
        notes="“要求其在指定办理期限内反馈结果，提交办结报告”：期限由交办机构逐案指定。",
    ),
    DeadlineRule(
        id="handle",
        title="信访事项办结",
        citation=art("第三十三条"),
        period_days=60,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="受理信访事项",
        # “经本行政机关负责人批准，可以适当延长办理期限，但延长期限不得超过30日”: the text caps
        # the days of extension in total, not the number of approvals (max_times None).
        extension=ExtensionPolicy(
            max_total_days=30, max_times=None, requires_approval=True, citation=art("第三十三条")
        ),
        notes="“信访事项应当自受理之日起60日内办结；情况复杂的，经本行政机关负责人批准，"
        "可以适当延长办理期限，但延长期限不得超过30日，并告知信访人延期理由。"
        "法律、行政法规另有规定的，从其规定。”"
        "[I] 本条限定的是延长期限合计不超过30日，未限定批准延长的次数："
        "多次批准的，延长天数合计计算。",
    ),
    DeadlineRule(
        id="notice_extension",
        title="告知延期理由",
        citation=art("第三十三条"),
        period_days=5,
        unit=WD,
        roll_forward=False,
        kind=OBLIGATION,
        starts_from="批准延长办理期限",
        notes="“……经本行政机关负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并告知信访人延期理由。”"
        "[I] 告知的义务出自本条；条例未规定告知的期限。引擎设计选择（政策）：自批准延期之日起"
        "5个工作日内书面告知，使信访人在原办理期限届满前知道延期及其理由；地方规定可以另定。",
    ),
    DeadlineRule(
        id="implement",
        title="支持信访请求意见的落实",
        citation=art("第三十二条第二款"),
        period_days=60,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="有权处理的行政机关出具支持信访请求的处理意见",
        notes="“有权处理的行政机关依照前款第(一)项规定作出支持信访请求意见的，应当督促有关机关或者"
        "单位执行。”[I] 未规定期限。引擎设计选择（政策）：自出具支持意见之日起60日内落实，"
        "参照第三十三条的办理期限；与2022年规则集相同。",
    ),
    DeadlineRule(
        id="review_request",
        title="请求复查",
        citation=art("第三十四条"),
        period_days=30,
        unit=CD,
        roll_forward=True,
        kind=WINDOW,
        starts_from="信访人收到书面答复",
        notes="“可以自收到书面答复之日起30日内请求原办理行政机关的上一级行政机关复查。”",
    ),
    DeadlineRule(
        id="review",
        title="提出复查意见",
        citation=art("第三十四条"),
        period_days=30,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="收到复查请求",
        notes="“收到复查请求的行政机关应当自收到复查请求之日起30日内提出复查意见，并予以书面答复。”",
    ),
    DeadlineRule(
        id="re_review_request",
        title="请求复核",
        citation=art("第三十五条第一款"),
        period_days=30,
        unit=CD,
        roll_forward=True,
        kind=WINDOW,
        starts_from="信访人收到复查意见书面答复",
        notes="“信访人对复查意见不服的，可以自收到书面答复之日起30日内向复查机关的"
        "上一级行政机关请求复核。”",
    ),
    DeadlineRule(
        id="re_review",
        title="提出复核意见",
        citation=art("第三十五条第一款"),
        period_days=30,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="收到复核请求",
        pausable=True,
        pause_citation=art("第三十五条第二款"),
        notes="“收到复核请求的行政机关应当自收到复核请求之日起30日内提出复核意见。”"
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
        "（如《山东省信访条例》（2015）第四十五条），期限由复查、复核机关逐案指定。",
    ),
    DeadlineRule(
        id="supervise_feedback",
        title="督办改进建议书面反馈",
        citation=art("第三十六条第二款"),
        period_days=30,
        unit=CD,
        roll_forward=True,
        kind=OBLIGATION,
        starts_from="收到改进建议",
        notes="“收到改进建议的行政机关应当在30日内书面反馈情况；未采纳改进建议的，应当说明理由。”"
        "2022年条例第四十条无此期限。",
    ),
)

_STATUTORY = art("第二十一条第一款第一项")

REGULATION = Regulation(
    id="xinfang-2005",
    title="信访条例（2005）",
    instrument=XINFANG_2005,
    effective_from=date(2005, 5, 1),  # 第五十一条
    effective_to=date(2022, 4, 30),  # 《信访工作条例》自2022-05-01施行
    handling_scope=HandlingScope.ALL_ACCEPTED,
    rules=RULES,
    max_representatives=5,
    representatives_citation=art("第十八条第二款"),
    finality_citation=art("第三十五条第三款"),
    confidentiality_citation=art("第二十三条"),
    decline_grounds={
        DeclineReason.FINALIZED: art("第三十五条第三款"),
        DeclineReason.NOT_IN_JURISDICTION: art("第二十二条第一款"),
        DeclineReason.BYPASSED_LEVEL: art("第十六条"),
        DeclineReason.IN_STATUTORY_PROCESS: _STATUTORY,
        DeclineReason.DUPLICATE: art("第十六条"),
    },
    routes={
        (PetitionType.SUGGESTION, Route.PETITION): RouteLaw(
            art("第三十三条"),
            "2005年条例不区分事项类型：受理的信访事项自受理之日起60日内办结，可请求复查、复核。",
        ),
        (PetitionType.ACCUSATION, Route.PETITION): RouteLaw(
            art("第三十三条"),
            "受理后自受理之日起60日内办结，可请求复查、复核；"
            "检举、揭发材料不得透露或者转给被检举、揭发的人员或者单位（第二十三条）。",
        ),
        (PetitionType.CLAIM, Route.PETITION): RouteLaw(
            art("第三十三条"), "受理后自受理之日起60日内办结，可请求复查、复核。"
        ),
        (PetitionType.ACCUSATION, Route.LITIGATION): RouteLaw(
            _STATUTORY,
            "已经或者依法应当通过诉讼等法定途径解决的，不予受理，"
            "但应当告知信访人依照有关法律、行政法规规定程序向有关机关提出（另见第十四条第二款、第十五条）。",
        ),
        (PetitionType.CLAIM, Route.LITIGATION): RouteLaw(
            _STATUTORY,
            "已经或者依法应当通过诉讼等法定途径解决的，不予受理，"
            "但应当告知信访人依照有关法律、行政法规规定程序向有关机关提出（另见第十四条第二款、第十五条）。",
        ),
        (PetitionType.CLAIM, Route.ARBITRATION): RouteLaw(
            _STATUTORY, "已经或者依法应当通过仲裁解决的，不予受理，但应当告知信访人向有关机关提出。"
        ),
        (PetitionType.CLAIM, Route.ADMINISTRATIVE): RouteLaw(
            _STATUTORY,
            "已经或者依法应当通过行政复议等法定途径解决的，不予受理，但应当告知信访人向有关机关提出。",
        ),
    },
    unavailable_routes={
        Route.DISCIPLINE: RouteLaw(
            art("第二十三条"),
            "2005年条例无向纪检监察机关分流的规定，第二十三条只规定检举、揭发材料保密；"
            "检举控告类事项按信访事项受理办理。",
        ),
        Route.PARTY_APPEAL: RouteLaw(
            art("第二条"),
            "2005年条例只适用于各级人民政府及其工作部门，未规定导入党员申诉、申请复审程序；"
            "不属于本机关职权范围的，告知信访人向有权的机关提出（第二十二条第一款）。",
        ),
        Route.DUTY: RouteLaw(
            art("第二十二条第一款"),
            "2005年条例无“依法履行或者答复”分流（系2022年条例第三十一条第五项新增）；"
            "属于本机关法定职权范围的，应当受理，按信访事项办理。",
        ),
    },
)
