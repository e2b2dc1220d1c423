"""The change feed: every event, in commit order, for systems that follow this one.

Owns the feed's ordering and cursor (``changes``). Read-only over
``workflow.adapters``; may import ``workflow.adapters`` and ``workflow.domain`` only.
Push delivery (an outbox and webhooks) belongs here too.
"""
