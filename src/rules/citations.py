"""Citations: the article of a legal instrument that a rule implements.

Every deadline rule, guard and routing decision in this package carries one, so
that a reader (a handler, a supervisor, an auditor) can always see *which*
provision produced a result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

XINFANG_2005 = "信访条例"
XINFANG_2022 = "信访工作条例"
CIVIL_CODE = "民法典"


@dataclass(frozen=True)
class Citation:
    """An article (and paragraph/item) of a named instrument.

    ``str(Citation("信访工作条例", "第二十二条第一款"))`` renders
    ``《信访工作条例》第二十二条第一款``.
    """

    instrument: str
    article: str

    def __str__(self) -> str:
        return f"《{self.instrument}》{self.article}"

    def to_dict(self) -> dict[str, str]:
        """JSON-able form, the inverse of :meth:`from_dict`."""
        return {"instrument": self.instrument, "article": self.article}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Citation:
        """Rebuild a citation from :meth:`to_dict` output."""
        instrument, article = data.get("instrument"), data.get("article")
        if not isinstance(instrument, str) or not isinstance(article, str):
            raise ValueError(f"citation needs string 'instrument' and 'article', got {data!r}")
        return cls(instrument, article)


# Counting rules applied by analogy to every period (regulations.md §4.1).
START_DAY_EXCLUDED = Citation(CIVIL_CODE, "第二百零一条")
LAST_DAY_ROLLS_FORWARD = Citation(CIVIL_CODE, "第二百零三条")
INCLUSIVE_NUMBERS = Citation(CIVIL_CODE, "第一千二百五十九条")
