"""Commands: the one write path for a matter.

Owns ``PetitionService`` (``petitions``: register, act, supervise; load, decide,
save, in one transaction with the version check) and ``record`` (an already decided
event folded and saved with its projections, used by the sweep and redaction).
Every state change of a matter passes through here to the engine
(``workflow.services``) and the store (``workflow.adapters``); nothing else here.
"""
