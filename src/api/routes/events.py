"""The change feed: every event the caller may see, in commit order, resumable.

Ordering and the cursor are workflow.feed.changes's; this route adds the caller's scope.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import Connection, select

from api import cursors, scope
from api.auth import CurrentActor
from api.deps import ContainerDep
from api.presenter import event_payload
from api.problems import responses
from api.schemas import FeedEventOut, Page
from workflow.adapters.repository import CASES
from workflow.domain.case import Case
from workflow.domain.errors import InvalidCommand
from workflow.feed import changes as change_feed

router = APIRouter(prefix="/v1/events", tags=["events"])


@router.get("", response_model=Page[FeedEventOut], responses=responses(401, 422))
def feed(
    actor: CurrentActor,
    c: ContainerDep,
    after: Annotated[str | None, Query(max_length=40, description="next_cursor")] = None,
    limit: Annotated[int, Query(ge=1)] = 100,
) -> Page[FeedEventOut]:
    limit = min(limit, c.settings.max_page_size)
    try:
        cursor = change_feed.parse_cursor(after)
    except InvalidCommand as exc:
        raise cursors.malformed("after") from exc

    def visible(conn: Connection, case_ids: Collection[str]) -> set[str]:
        docs = conn.execute(select(CASES.c.doc).where(CASES.c.id.in_(list(case_ids))))
        cases = [Case.from_doc(row.doc) for row in docs]
        return {case.id for case in cases if scope.can_read(actor, case, c.units)}

    with c.db.read() as conn:
        page = change_feed.read_page(conn, cursor, limit, visible)
        items = [_item(r) for r in page.rows]
        for item in items:
            item.payload = event_payload(conn, item.payload, actor, c.units)
    return Page[FeedEventOut](items=items, next_cursor=str(page.next_cursor))


def _item(m: Any) -> FeedEventOut:
    return FeedEventOut(
        id=str(change_feed.FeedPage.cursor_of(m)),
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
