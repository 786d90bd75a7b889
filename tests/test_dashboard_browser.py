"""The served dashboard in a real browser: Debian's Chromium driven by playwright, headless.

Screenshots of each state go to test-artifacts/dashboard/.
"""

import re
import time

import pytest
from playwright.sync_api import expect, sync_playwright

from .dashboard_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, dashboard_url  # noqa: F401 (fixture)

TIMEOUT = 60_000  # ms; a loaded 2-core machine draws slowly


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page with every failed request, error response, request off this machine and page error noted."""

    def __init__(self, browser, url):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.problems = []
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))
        self.page.on("request", lambda r: r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "blob:", "data:"))
                     or self.problems.append(f"off this machine: {r.url}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        started = time.perf_counter()
        self.page.goto(url)
        self.step_button.wait_for()
        self.load_seconds = time.perf_counter() - started

    @property
    def step_button(self):
        return self.page.get_by_role("button", name="Step", exact=True)

    def week(self, week, weeks=104):
        expect(self.page.get_by_text(f"Week {week} of {weeks}", exact=True)).to_be_visible()

    def chart(self, index=0):
        """The ``src`` of the ``index``-th chart image (a data URL that changes when the chart does)."""
        return self.page.locator("img").nth(index).get_attribute("src")

    def shot(self, name):
        self.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)

    def select(self, label, option):
        self.page.locator(".v-select", has_text=label).click()
        menu = self.page.locator(".v-overlay--active")  # this select's open menu, not an earlier one
        menu.get_by_role("option", name=option, exact=True).click()
        expect(menu).to_have_count(0)

    def fill(self, label, text):
        box = self.page.get_by_label(label, exact=True)
        box.fill(text)
        box.press("Enter")

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser, dashboard_url):  # noqa: F811
    page = Watched(browser, dashboard_url)
    yield page
    page.close()


def test_page_loads_with_every_asset_local_and_no_errors(watched):
    watched.week(0)
    expect(watched.page.locator("img")).to_have_count(2)  # retention, lost customers by reason
    watched.page.wait_for_timeout(1000)
    watched.shot("01-loaded")
    assert watched.problems == []
    print(f"first page load: {watched.load_seconds:.2f} s")


def test_moving_a_lever_then_stepping_changes_the_chart(watched):
    watched.step_button.click()
    watched.week(1)
    before = watched.chart(0)
    courage = watched.page.get_by_role("slider").nth(2)  # after play interval and weeks per step
    courage.focus()
    for _ in range(10):
        courage.press("ArrowRight")
    expect(courage).to_have_attribute("aria-valuenow", "0.6")
    expect(watched.page.get_by_text(re.compile("Running with leadership courage 0.60"))).to_be_visible()
    watched.week(0)  # a lever change starts the run again
    watched.step_button.click()
    watched.week(1)
    expect(watched.page.locator("img").first).not_to_have_attribute("src", before)
    watched.shot("02-lever-moved-and-stepped")
    assert watched.problems == []


def test_the_organisation_tab_shows_focus_handoffs_and_employees(watched):
    watched.page.get_by_role("tab", name="Organisation").click()
    expect(watched.page.locator("img")).to_have_count(3)
    before = [watched.chart(i) for i in range(3)]
    for week in range(1, 5):  # the sidebar's controls work here too
        watched.step_button.click()
        watched.week(week)
    for i in range(3):
        expect(watched.page.locator("img").nth(i)).not_to_have_attribute("src", before[i])
    watched.shot("03-organisation")
    assert watched.problems == []


def test_picking_a_preset_shows_its_story_and_interventions(watched):
    watched.select("Scenario preset", "New leadership team at week 26")
    expect(watched.page.get_by_text("week 26: leadership courage → 0.8")).to_be_visible()
    watched.shot("04-preset-picked")
    assert watched.problems == []


def test_bad_input_gets_a_message_not_a_dead_page(watched):
    watched.fill("n employees", "a few")
    expect(watched.page.get_by_text("n_employees = 'a few': expected a whole number from 24 to 20,000")
           .first).to_be_visible()
    watched.fill("seed", "-3")
    expect(watched.page.get_by_text("seed = '-3' is out of range").first).to_be_visible()
    watched.step_button.click()
    watched.week(1)  # still alive, still the last good setup
    watched.shot("05-bad-input")
    watched.page.locator(".v-card", has_text="Organisation, length and seed").screenshot(
        path=ARTIFACTS / "05-bad-input-messages.png")
    assert watched.problems == []


def test_a_comparison_runs_to_the_end_with_progress(watched):
    for label, text in (("n employees", "120"), ("n customers", "1500"), ("weeks", "40")):
        watched.fill(label, text)
    watched.week(0, 40)
    watched.page.get_by_role("tab", name="Compare").click()
    watched.select("first scenario", "Baseline")
    watched.select("second scenario", "Courageous leadership")
    watched.fill("replications", "6")
    watched.page.get_by_role("button", name="Run comparison").click()
    expect(watched.page.get_by_text("Mean annual retention over the last 40 weeks")).to_be_visible()
    expect(watched.page.get_by_text("6 replications", exact=False)).to_be_visible()
    watched.shot("06-comparison")
    with watched.page.expect_download() as download:
        watched.page.get_by_text("comparison.csv").click()
    with open(download.value.path()) as csv:
        header = csv.readline().strip()
    assert header == "scenario,week,retention_mean,retention_low_90%,retention_high_90%"
    assert watched.problems == []


def test_weekly_outputs_and_charts_download(watched):
    watched.step_button.click()
    watched.week(1)
    with watched.page.expect_download() as download:
        watched.page.get_by_text("weekly_outputs.csv").click()
    with open(download.value.path()) as csv:
        lines = csv.read().splitlines()
    assert lines[0].startswith("week,retention_rate,") and len(lines) == 2
    with watched.page.expect_download() as download:
        watched.page.get_by_text("retention.png").first.click()
    with open(download.value.path(), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    assert watched.problems == []


def test_presentation_view_tells_the_story_in_large_type(watched):
    watched.select("Scenario preset", "Courageous leadership")
    watched.page.get_by_role("tab", name="Present").click()
    title = watched.page.get_by_role("heading", name="Courageous leadership")
    expect(title).to_be_visible()
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
    watched.step_button.click()
    watched.week(1)
    watched.shot("07-presentation")
    assert watched.problems == []
