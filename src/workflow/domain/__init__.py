"""The petition domain: the case aggregate, events, actions, actors, units and the clock.

Plain data and errors, free of frameworks and storage: nothing here imports the rest of
the engine, a web framework, a database driver or ``transitions`` (an import contract
holds this). Time is a ``Clock`` passed in, never read here.
"""
