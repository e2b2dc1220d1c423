"""The in-process API fixtures of the end-to-end tests, shared here."""

from tests.e2e.conftest import api, make_api

__all__ = ["api", "make_api"]
