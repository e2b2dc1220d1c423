"""R3 in CI: a bounded schemathesis run over every operation (the full run is a command)."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.fuzz import run

CI_EXAMPLES = 8


def test_every_operation_conforms_and_never_fails(tmp_path: Path) -> None:
    report = run(CI_EXAMPLES, tmp_path)
    assert report.operations >= 20
    assert report.requests >= report.operations * CI_EXAMPLES
    assert not any(status >= 500 for status in report.by_status)
    # Generated input reached the routes, not only the authentication in front of them.
    assert report.by_status.get(200, 0) > 0 and report.by_status.get(422, 0) > 0
