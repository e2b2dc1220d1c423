"""Reliability and security: crash consistency, races, fuzzing, authorization, abuse."""
