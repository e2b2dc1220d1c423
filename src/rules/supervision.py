"""The grounds on which a petition bureau supervises (督办) an organ, with their articles.

《信访工作条例》(2022) 第四十条第一款: “党委和政府信访部门发现有关机关、单位存在违反信访
工作规定受理、办理信访事项，办理信访事项推诿、敷衍、拖延、弄虚作假或者拒不执行信访处理
意见等情形的，应当及时督办，并提出改进工作的建议。” The sentence names its cases in one
list; the contract's five grounds (Contract 1.1) divide it as follows, each with the words
it rests on. 《信访条例》(2005) 第三十六条第一款 numbers its cases as items, so each ground
cites its item; 2005 has no 弄虚作假, which there falls under 第六项 (其他需要督办的情形).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from rules.citations import XINFANG_2005, XINFANG_2022, Citation
from rules.rulesets import RuleSet, regulation_of


class SupervisionGround(StrEnum):
    """Why a supervision item is opened."""

    BREACH = "breach"
    """拖延 measured by a clock: an obligation's time limit has passed unmet."""
    IRREGULAR_HANDLING = "irregular_handling"
    """违反信访工作规定受理、办理; and 推诿、敷衍, handling in name only."""
    FALSIFICATION = "falsification"
    """弄虚作假: a report or record that does not match the facts."""
    NOT_IMPLEMENTING_OPINION = "not_implementing_opinion"
    """拒不执行信访处理意见: a supported claim is not carried out (第三十二条第二款)."""
    OTHER = "other"
    """等情形: anything else the bureau finds (and delay that no clock measures)."""


@dataclass(frozen=True)
class GroundLaw:
    """The provision a ground rests on, and the words of it that apply."""

    citation: Citation
    words: str


def _2022(words: str) -> GroundLaw:
    return GroundLaw(Citation(XINFANG_2022, "第四十条第一款"), words)


def _2005(item: str, words: str) -> GroundLaw:
    return GroundLaw(Citation(XINFANG_2005, f"第三十六条第一款{item}"), words)


GROUNDS: Mapping[str, Mapping[SupervisionGround, GroundLaw]] = {
    XINFANG_2022: {
        SupervisionGround.BREACH: _2022("办理信访事项……拖延"),
        SupervisionGround.IRREGULAR_HANDLING: _2022(
            "违反信访工作规定受理、办理信访事项；办理信访事项推诿、敷衍"
        ),
        SupervisionGround.FALSIFICATION: _2022("办理信访事项……弄虚作假"),
        SupervisionGround.NOT_IMPLEMENTING_OPINION: _2022("拒不执行信访处理意见"),
        SupervisionGround.OTHER: _2022("……等情形"),
    },
    XINFANG_2005: {
        SupervisionGround.BREACH: _2005("第一项", "无正当理由未按规定的办理期限办结信访事项的"),
        SupervisionGround.IRREGULAR_HANDLING: _2005(
            "第三项", "未按规定程序办理信访事项的（推诿、敷衍：第四项）"
        ),
        SupervisionGround.FALSIFICATION: _2005("第六项", "其他需要督办的情形（本条未列弄虚作假）"),
        SupervisionGround.NOT_IMPLEMENTING_OPINION: _2005("第五项", "不执行信访处理意见的"),
        SupervisionGround.OTHER: _2005("第六项", "其他需要督办的情形"),
    },
}


def ground_law(rule_set: RuleSet, ground: SupervisionGround) -> GroundLaw:
    """The provision of the regulation ``rule_set`` implements for ``ground``."""
    return GROUNDS[regulation_of(rule_set).instrument][ground]
