"""Supervision (督办): boards, items and their actions, leaders, backlog, and the rates.

Readers are supervisors (over their supervision root: a petition bureau oversees its
own government's subtree), auditors (their subtree) and admins (everything). ``unit``
defaults to the caller's root; a unit outside it does not exist for the caller (404).
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routes.supervision import boards, items, rates, standing

router = APIRouter()
for part in (boards, items, standing, rates):
    router.include_router(part.router)
