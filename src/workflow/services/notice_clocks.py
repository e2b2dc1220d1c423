"""The clocks of the acts that give the petitioner something: delivery and notices.

Delivery (送达) starts the petitioner's window of the state the matter is in
(《信访工作条例》第三十五条、第三十六条); a written notice (告知) meets the notice clocks of
its kind (第二十三条, 第三十四条); a receiving organ's own receipt moves the clocks that
count from it (第二十三条第三款).
"""

from __future__ import annotations

from workflow.domain.case import Deadline
from workflow.services.clocks import NOTICES, Clocks, arm, empty_clocks, recompute
from workflow.services.context import Ctx
from workflow.statechart.chart import TimerSpec


def _armed(ctx: Ctx, rule: str, state: str, responsible_unit: str) -> Clocks:
    clocks = empty_clocks()
    deadline = arm(ctx, TimerSpec(rule=rule, when=None, state=state), responsible_unit)
    if deadline is not None:
        clocks["opened"].append(deadline.to_doc())
    return clocks


def extension_notice(ctx: Ctx, responsible_unit: str) -> Clocks:
    """第三十四条: an extension “并告知信访人延期理由”: a notice clock per extension, met by a
    ``notify`` of kind ``extension`` (its period is policy, see the rule's notes)."""
    return _armed(ctx, "notice_extension", ctx.case.state, responsible_unit)


def deliver(ctx: Ctx, responsible_unit: str) -> Clocks:
    """Delivery recorded after the opinion: the petitioner's window of the state the
    matter is in now starts (第三十五条、第三十六条: 自收到书面答复之日起)."""
    clocks = empty_clocks()
    for timer in ctx.engine.chart.timers_of(ctx.case.state):
        deadline = arm(ctx, timer, responsible_unit)
        if deadline is not None:
            clocks["opened"].append(deadline.to_doc())
    return clocks


# The notices a ``notify`` of each kind gives (第二十三条第二款、第三款; 第三十四条).
_NOTICE_CLOCKS = {
    "receipt": NOTICES,
    "acceptance": NOTICES,
    "extension": ("notice_extension",),
    "other": (),
}


def notify(ctx: Ctx) -> Clocks:
    """A written notice meets the running notice clocks of its kind, on the notice day."""
    clocks = empty_clocks()
    on = ctx.field_date("notified_on") or ctx.occurred_on
    for d in ctx.case.open_deadlines():
        if d.rule in _NOTICE_CLOCKS[str(ctx.fields["kind"])]:
            clocks["closed"].append({"id": d.id, "status": "met", "on": on.isoformat()})
    return clocks


# The clocks of a transferred matter that count from the receiving organ's receipt
# (第二十三条第三款: “自收到转送、交办的信访事项之日起”).
RECEIPT_CLOCKS = ("notice_transfer", "object")


def receipt_moves(ctx: Ctx) -> list[Deadline]:
    """The receipt clocks recomputed from the ``received_on`` the receiving organ records
    with its first action (none when it records none or the same day as the transfer)."""
    received = ctx.field_date("received_on")
    if received is None or ctx.case.state != "transferred":
        return []
    return [
        recompute(ctx.engine, d, trigger_on=received)
        for d in ctx.case.open_deadlines()
        if d.rule in RECEIPT_CLOCKS and d.trigger_on != received
    ]


def receipt_shift(ctx: Ctx, closing: set[str]) -> Clocks:
    """``receipt_moves`` as clock changes, but for the clocks this same move closes."""
    clocks = empty_clocks()
    clocks["changed"] = [d.to_doc() for d in receipt_moves(ctx) if d.id not in closing]
    return clocks
