"""Audit: proving that the current state follows from a complete, untampered history.

Owns the hash-chain and anchor checks (``verify``, ``anchors``), the cross-check of
every projection against a replay of the events (``projection``), the printable case
record (``dossier``) and the redaction of personal data (``redaction``, the one writer
here: it records its own event through ``workflow.commands``). May import the engine
(``services``, ``statechart``, ``domain``), ``workflow.adapters``,
``workflow.commands`` and the composition root's types; not timers, oversight or feed.
"""
