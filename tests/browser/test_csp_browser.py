"""F13 in a real browser: the console under its Content-Security-Policy.

Chromium reports every blocked resource or inline block on the console; none may be
reported on any page, and the pages are styled (the inline <style> is allowed by its
hash). A page the console serves cannot be framed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Served
from tests.browser.test_console_browser import _sign_in

pytestmark = pytest.mark.browser


def test_console_pages_keep_their_styles_under_the_policy(
    server: Served, browser_page: Any
) -> None:
    page = browser_page
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    _sign_in(page, server, "auditor@GD")
    matter = server.matter["id"]
    paths = [
        "/console/board",
        "/console/rates",
        f"/console/petitions/{matter}",
        f"/console/petitions/{matter}/diagram",
        f"/console/petitions/{matter}/dossier",
        "/console/login",
    ]
    for path in paths:
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        # The stylesheet applied: the body's font is the console's (or the dossier's).
        family = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert "Noto" in family, (path, family)
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert not blocked, blocked
    # Framing the console from another page is refused by the browser.
    page.set_content(f'<iframe id="f" src="{server.url}/console/login"></iframe>')
    page.wait_for_timeout(500)
    frame = page.frame_locator("#f")
    assert frame.locator("form").count() == 0
