"""Oversight: what supervisors read (督办).

Owns the read models a supervising unit is judged by: the overdue and due-soon board
over a subtree (``board``), the backlog of repeated and long-open matters
(``backlog``) and the assessed rates (``rates``). Read-only: it queries the
projections through ``workflow.adapters`` and never writes. May import
``workflow.adapters``, ``workflow.domain`` and ``rules``; nothing above them.
"""
