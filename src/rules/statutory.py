"""The statutory holidays (法定节假日) of 《全国年节及纪念日放假办法》第二条, for any year.

Each year's notice (国务院办公厅关于某年部分节假日安排的通知) only arranges the 调休
around these days; the days themselves are fixed by 第二条 and are rest days before
any notice is published. 第二条 changed with each revision, so a year's days are
those of the revision in force in it. Every revision since 1999 took effect on
1 January, the 1999 one excepted (18 September 1999), so years before 2000 are not
modelled; nor are years after 2100, which no deadline reaches.

Lunar dates and the 清明 solar term come from ``lunar-python`` (6tail, MIT), chosen
because it is pure Python with no dependencies, maintained (1.4.8, November 2025;
the same library exists for Java, JavaScript, Go and others), and computes both the
lunar months and the 24 节气 astronomically in Beijing time, so 清明 needs no second
library (``lunardate`` has lunar dates only; ``cnlunar`` is built around almanac
data). Checked when it was chosen: its 正月初一, 端午 and 中秋 agree with
``lunardate``'s Hong Kong Observatory tables for every year 1991–2099, its 清明 with
``holidays`` for 2008–2099, and the tests hold every computed day to the official
data of 2004–2026. It computes a whole lunar year per call (about 4 ms), so each
year is computed once and kept; callers copy the days into their own tables
(:class:`rules.calendar.CalendarData`) and never call the library per lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType
from typing import Any

from lunar_python import Lunar, Solar

FIRST_YEAR = 2000
LAST_YEAR = 2100
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Revision:
    """One version of 第二条: which days are statutory holidays from ``first_year``."""

    first_year: int
    citation: str
    spring_festival: tuple[int, ...]
    """Days of 春节 as offsets from 正月初一 (-1 is 除夕, the day before)."""
    labour_day: tuple[int, ...]
    """Days of May."""
    lunar_festivals: bool
    """Whether 清明、端午、中秋 are holidays (from the 2007 revision)."""


_LAW = "《全国年节及纪念日放假办法》"
REVISIONS = (
    Revision(2000, f"{_LAW}（1999年9月18日修订）第二条", (0, 1, 2), (1, 2, 3), False),
    Revision(2008, f"{_LAW}（2007年12月14日修订）第二条", (-1, 0, 1), (1,), True),
    Revision(2014, f"{_LAW}（2013年12月11日修订）第二条", (0, 1, 2), (1,), True),
    Revision(2025, f"{_LAW}（2024年11月10日修订）第二条", (-1, 0, 1, 2), (1, 2), True),
)


def revision_for(year: int) -> Revision | None:
    """The revision of 第二条 in force in ``year``; None outside 2000–2100."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return [rev for rev in REVISIONS if rev.first_year <= year][-1]


@cache
def statutory_days(year: int) -> Mapping[date, str]:
    """Every statutory holiday of ``year`` and its name (the names chinesecalendar uses).

    Empty outside 2000–2100. Where two festivals fall on one day (中秋 on 1 October),
    the day carries the lunar festival's name.
    """
    revision = revision_for(year)
    if revision is None:
        return MappingProxyType({})
    days = {date(year, 1, 1): "元旦"}
    days |= {date(year, 5, day): "劳动节" for day in revision.labour_day}
    days |= {date(year, 10, day): "国庆节" for day in (1, 2, 3)}
    new_year = _lunar(year, 1, 1)  # 除夕 is the day before: 腊月廿九 or 三十
    days |= {new_year + offset * _DAY: "春节" for offset in revision.spring_festival}
    if revision.lunar_festivals:
        days[_qingming(year)] = "清明"
        days[_lunar(year, 5, 5)] = "端午"
        days[_lunar(year, 8, 15)] = "中秋"
    return MappingProxyType(dict(sorted(days.items())))


def _lunar(year: int, month: int, day: int) -> date:
    # Month 1, 5 or 8 of the lunar year that begins in ``year``; a positive month is never
    # the leap month, and all three fall in the same Gregorian year.
    return _to_date(Lunar.fromYmd(year, month, day).getSolar())


def _qingming(year: int) -> date:
    # The lunar year containing 1 April holds that spring's 清明 in its table of terms.
    return _to_date(Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"])


def _to_date(solar: Any) -> date:
    return date(int(solar.getYear()), int(solar.getMonth()), int(solar.getDay()))
