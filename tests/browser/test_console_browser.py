"""Sign in, read the overdue board, urge an item, open a matter's timeline and move its
as-of moment, in headless Chromium against the real server; screenshots on the way."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Served

pytestmark = pytest.mark.browser


def _sign_in(page: Any, server: Served, demo_choice: str) -> None:
    page.goto(f"{server.url}/console/board")
    # Not signed in: the board sends the reader to the sign-in page and back.
    assert "/console/login" in page.url
    page.locator(f'button[name="demo"][value="{demo_choice}"]').click()
    page.wait_for_load_state()


def test_supervisor_signs_in_reads_the_board_and_urges(
    browser_page: Any, server: Served, shots: Path
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{server.url}/console/board")
    expect(page.locator("h1")).to_have_text("登录")
    page.screenshot(path=str(shots / "sign-in.png"), full_page=True)
    page.locator('button[name="demo"][value="supervisor@HZ"]').click()
    expect(page).to_have_url(re.compile(r"/console/board$"))
    expect(page.locator("h1")).to_contain_text("督办看板")
    rows = page.locator("#overdue tr.overdue-row")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1
    # Most overdue first.
    late = [int(t.split()[0]) for t in page.locator("#overdue td.late").all_inner_texts()]
    assert late == sorted(late, reverse=True) and late[0] >= 1
    # The session cookie is not readable by scripts.
    assert "pf_session" not in page.evaluate("document.cookie")
    page.screenshot(path=str(shots / "board.png"), full_page=True)

    first = rows.first
    number = first.locator("td").first.inner_text()
    urge = first.locator('form:has(button[data-action="urge"])')
    urge.locator('input[name="note"]').fill("请于三日内办结并报告")
    urge.locator('button[data-action="urge"]').click()
    flash = page.locator(".flash.ok")
    expect(flash).to_have_text(f"已催办：信访事项 {number}")
    row = page.locator("#overdue tr.overdue-row", has_text=number)
    expect(row.locator("[data-item-state]")).to_have_attribute("data-item-state", "urged")
    page.screenshot(path=str(shots / "board-urged.png"), full_page=True)

    # A domain refusal comes back in Chinese: closing needs the obligation met first.
    close = row.locator('form:has(button[data-action="close"])')
    close.locator('button[data-action="close"]').click()
    expect(page.locator(".flash.error")).to_contain_text("销号未成功")

    page.goto(f"{server.url}/console/rates")
    expect(page.locator("h1")).to_contain_text("考核指标")
    expect(page.locator("#rates")).to_contain_text("按期办结率")
    assert page.locator("figure.card svg").count() >= 1
    page.screenshot(path=str(shots / "rates.png"), full_page=True)


def test_auditor_reads_a_timeline_as_of_a_moment(
    browser_page: Any, server: Served, shots: Path
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    _sign_in(page, server, "auditor@GD")
    expect(page.locator("h1")).to_contain_text("督办看板")
    # A matter registered, classified two days later, then left to breach its deadline.
    assert server.matter is not None
    page.locator("#overdue a", has_text=server.matter["number"]).first.click()
    expect(page.locator("h1")).to_contain_text("案件时间线")
    expect(page.locator("#chain")).to_contain_text("完整")
    events = page.locator("#events tr[data-seq]")
    count = events.count()
    assert count >= 2
    state = page.locator("#state td[data-state]").get_attribute("data-state")
    expect(page.locator("#deadlines")).to_contain_text("已超期")
    assert page.locator("#events tr.later").count() == 0
    page.screenshot(path=str(shots / "timeline.png"), full_page=True)

    # Move the as-of moment back to the first event: before the breach was recorded.
    first_moment = page.locator("#events tr[data-seq] a").first.get_attribute("href")
    assert first_moment is not None
    page.locator("#as_of").fill(first_moment.split("as_of=")[1])
    page.locator("#as-of-form button[type=submit]").click()
    expect(page.locator("h2").nth(0)).to_contain_text("截至 2026-09-22")
    expect(page.locator("#state td[data-state]")).to_have_attribute("data-state", "registered")
    expect(page.locator("#deadlines")).not_to_contain_text("已超期")
    expect(page.locator("#deadlines")).to_contain_text("计时中")
    later = page.locator("#events tr.later").count()
    assert later == count - 1 and state != "registered"
    page.screenshot(path=str(shots / "timeline-as-of.png"), full_page=True)

    page.locator("a", has_text="状态图").click()
    expect(page.locator("svg.statechart g.current")).to_have_count(1)
    current = page.locator("svg.statechart g.current")
    assert current.get_attribute("data-state") == "registered"
    page.screenshot(path=str(shots / "statechart.png"), full_page=True)

    page.goto(page.url.split("/diagram")[0] + "/dossier")
    expect(page.locator("h1")).to_have_text("信访事项案卷")
