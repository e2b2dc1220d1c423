"""Application services: decide what a command means, fold events, run units of work."""
