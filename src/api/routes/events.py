"""The change feed: every event the caller may see, in commit order, resumable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from api import scope
from api.auth import CurrentActor
from api.deps import ContainerDep
from api.problems import ApiProblem, responses
from api.schemas import FeedEventOut, Page
from workflow.adapters.repository import CASES, EVENTS
from workflow.domain.case import Case

router = APIRouter(prefix="/v1/events", tags=["events"])
MAX_SCAN = 20


def _after(after: str | None) -> int:
    if after is None or after == "":
        return 0
    if not after.isdigit() or len(after) > 18:
        raise ApiProblem(422, "validation-error", "malformed cursor", field="after")
    return int(after)


@router.get("", response_model=Page[FeedEventOut], responses=responses(401, 422))
def feed(
    actor: CurrentActor,
    c: ContainerDep,
    after: Annotated[str | None, Query(max_length=32, description="next_cursor")] = None,
    limit: Annotated[int, Query(ge=1)] = 100,
) -> Page[FeedEventOut]:
    limit = min(limit, c.settings.max_page_size)
    position = _after(after)
    items: list[FeedEventOut] = []
    readable: dict[str, bool] = {}
    with c.db.read() as conn:
        # Scope is per case, so scan in batches; bounded so one call never reads forever.
        for _ in range(MAX_SCAN):
            rows = conn.execute(
                select(EVENTS).where(EVENTS.c.id > position).order_by(EVENTS.c.id).limit(limit)
            ).all()
            unknown = {r.case_id for r in rows} - readable.keys()
            if unknown:
                for doc in conn.execute(select(CASES.c.doc).where(CASES.c.id.in_(unknown))):
                    case = Case.from_doc(doc.doc)
                    readable[case.id] = scope.can_read(actor, case, c.units)
            for r in rows:
                position = r.id
                if readable.get(r.case_id, False):
                    items.append(_item(r))
                    if len(items) == limit:
                        break
            if len(items) == limit or len(rows) < limit:
                break
    return Page[FeedEventOut](items=items, next_cursor=str(position))


def _item(r: object) -> FeedEventOut:
    m = r._mapping  # type: ignore[attr-defined]
    return FeedEventOut(
        id=str(m["id"]),
        case_id=m["case_id"],
        seq=m["seq"],
        type=m["type"],
        occurred_at=m["occurred_at"],
        recorded_at=m["recorded_at"],
        actor=m["actor"],
        unit=m["unit"],
        payload=m["payload"],
        prev_hash=m["prev_hash"],
        hash=m["hash"],
    )
