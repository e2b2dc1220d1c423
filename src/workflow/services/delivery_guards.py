"""Guards of the dates a command reports: delivery (送达), notices (告知) and receipt.

Issue and delivery of a written opinion are two facts (《信访工作条例》第三十五条、
第三十六条: 自收到书面答复之日起); a notice is an act (第二十三条); a receiving organ's
clocks count from its own receipt (第二十三条第三款). Each date is checked against the
facts it cannot precede and the day it is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rules.time import local_date
from workflow.domain.errors import GuardRejected
from workflow.services.context import Ctx
from workflow.services.refusals import invalid as _invalid


def _stage_being_delivered(ctx: Ctx) -> str | None:
    """The opinion this command delivers: the one it issues, or for ``deliver`` the one
    awaiting delivery."""
    if ctx.trigger == "deliver":
        return ctx.case.awaiting_delivery
    return {"reply": "reply", "review_decide": "review", "re_review_decide": "re_review"}.get(
        ctx.trigger
    )


def _not_before(ctx: Ctx, stage: str | None) -> list[tuple[date, str]]:
    """The facts a delivery cannot precede, with their names."""
    facts = [(local_date(ctx.case.received_at), "the matter's receipt")]
    if ctx.case.accepted_on is not None:
        facts.append((date.fromisoformat(ctx.case.accepted_on), "the acceptance"))
    # A review or re-review holds the request it answers (its receipt) and, once issued,
    # the opinion's own issue day.
    opinion = getattr(ctx.case, stage) if stage is not None else None
    if opinion is not None and opinion.get("received_on"):
        facts.append((date.fromisoformat(opinion["received_on"]), "the request's receipt"))
    if ctx.trigger != "deliver":
        facts.append((ctx.occurred_on, "the opinion's issue"))
    elif opinion is not None and opinion.get("issued_on"):
        facts.append((date.fromisoformat(opinion["issued_on"]), "the opinion's issue"))
    return facts


def delivery_plausible(ctx: Ctx) -> None:
    """Issue (出具, the action's day) and delivery (送达) are two facts: a written opinion
    reaches the petitioner on or after the day it is issued, never before it, the
    acceptance or the matter's receipt, and never after the day it is recorded."""
    delivered = ctx.field_date("delivered_on")
    if delivered is None:
        return
    if delivered > ctx.recorded_on:
        raise _invalid(
            "delivered_on",
            f"delivered_on {delivered.isoformat()} is after the day it is recorded",
            field="delivered_on",
        )
    for day, what in _not_before(ctx, _stage_being_delivered(ctx)):
        if delivered < day:
            raise _invalid(
                "delivered_on",
                f"delivered_on {delivered.isoformat()} precedes {what} ({day.isoformat()})",
                field="delivered_on",
            )


def awaiting_delivery(ctx: Ctx) -> None:
    if ctx.case.awaiting_delivery is None:
        raise GuardRejected(
            "delivery",
            "no written opinion of this matter awaits delivery: it was delivered already",
        )


def notice_plausible(ctx: Ctx) -> None:
    """A notice is given on or after the matter's receipt, and not after it is recorded."""
    notified = ctx.field_date("notified_on")
    if notified is None:
        return
    received = local_date(ctx.case.received_at)
    if notified > ctx.recorded_on or notified < received:
        raise _invalid(
            "notified_on",
            f"notified_on {notified.isoformat()} lies outside {received.isoformat()} .. "
            f"{ctx.recorded_on.isoformat()} (the matter's receipt .. the recording day)",
            field="notified_on",
        )


def receipt_plausible(ctx: Ctx) -> None:
    """第二十三条第三款 counts the receiving organ's clocks “自收到转送、交办的信访事项之日起”:
    the organ may record that day with its first action on a transferred matter, on or
    after the transfer and not after the action itself."""
    received = ctx.field_date("received_on")
    if received is None:
        return
    if ctx.case.state != "transferred" or ctx.case.transferred_on is None:
        raise _invalid(
            "received_on",
            "received_on is recorded only by the organ receiving a transferred matter",
            field="received_on",
        )
    recorded = ctx.case.transfer_received_on
    if recorded is not None and recorded != received.isoformat():
        raise _invalid(
            "received_on",
            f"the receipt of this transfer was recorded already ({recorded})",
            field="received_on",
        )
    transferred = date.fromisoformat(ctx.case.transferred_on)
    if not transferred <= received <= ctx.occurred_on:
        raise _invalid(
            "received_on",
            f"received_on {received.isoformat()} lies outside {transferred.isoformat()} .. "
            f"{ctx.occurred_on.isoformat()} (the transfer .. this action)",
            field="received_on",
        )


DELIVERY_GUARDS: dict[str, Callable[[Ctx], None]] = {
    g.__name__: g
    for g in (
        delivery_plausible,
        awaiting_delivery,
        notice_plausible,
        receipt_plausible,
    )
}
