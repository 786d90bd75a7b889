"""The served dashboard in a real browser: Debian's Chromium driven by playwright, headless.

Every page fails its test when a request leaves 127.0.0.1 or a page error
occurs. Screenshots at 1366x768 and 1920x1080 go to test-artifacts/dashboard/.
"""

import re
import subprocess
import sys
import time
import urllib.parse

import pytest
from playwright.sync_api import expect, sync_playwright

from .dashboard_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, axe_core, dashboard_url  # noqa: F401 (fixtures)

TIMEOUT = 60_000  # ms; a loaded 2-core machine draws slowly
expect.set_options(timeout=20_000)
SCREENS = {"laptop": (1366, 768), "projector": (1920, 1080)}
LEADERSHIP = "New leadership team at week 26"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page with every failed request, error response, request off this machine and page error noted."""

    def __init__(self, browser, url, size=(1366, 768)):
        self.context = browser.new_context(viewport={"width": size[0], "height": size[1]}, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.problems = []
        # (a request aborted because the test closed its page, e.g. the favicon, is not a failure of the page)
        self.page.on("requestfailed", lambda r: r.failure == "net::ERR_ABORTED"
                     or self.problems.append(f"failed: {r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))
        self.page.on("request", lambda r: r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "blob:", "data:"))
                     or self.problems.append(f"off this machine: {r.url}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.goto(url)

    def goto(self, url):
        started = time.perf_counter()
        self.page.goto(url)
        self.page.get_by_role("tab", name="Present").wait_for()
        self.load_seconds = time.perf_counter() - started

    @property
    def step_button(self):
        return self.page.get_by_role("button", name="Step", exact=True)

    def week(self, week, weeks=104):
        expect(self.page.get_by_text(f"Week {week} of {weeks}", exact=True)).to_be_visible()

    def shot(self, name):
        width = self.page.viewport_size["width"]
        self.page.screenshot(path=ARTIFACTS / f"{name}-{width}.png")

    def select(self, label, option):
        combobox = self.page.get_by_role("combobox", name=label, exact=True)
        self.page.locator(".v-select").filter(has=combobox).click()
        menu = self.page.locator(".v-overlay--active")  # this select's open menu, not an earlier one
        menu.get_by_role("option", name=option, exact=True).click()
        expect(menu).to_have_count(0)

    def fill(self, label, text):
        box = self.page.get_by_label(label, exact=True)
        box.fill(text)
        box.press("Enter")

    def tab(self, name):
        self.page.get_by_role("tab", name=name).click()

    def answer(self):
        """The headline once every replication is in."""
        headline = self.page.get_by_text(re.compile(r"against .*: annual retention at 1 year .* From 20 replications"
                                                    r" with the same seeds\.$"))
        expect(headline).to_be_visible(timeout=120_000)
        return headline.inner_text()

    def check(self):
        assert self.problems == []

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser, dashboard_url):  # noqa: F811
    page = Watched(browser, dashboard_url)
    yield page
    page.check()
    page.close()


def test_the_strategists_question_is_answered_against_the_same_organisation_without_the_change(watched):
    """README's story: pick the new leadership team; the page says the effect at 1 and 2 years and when it shows."""
    watched.select("Scenario", LEADERSHIP)
    answer = watched.answer()
    assert answer.startswith(f"{LEADERSHIP} against the same organisation without the change at week 26: "
                             "annual retention at 1 year ")
    assert re.search(r"at 2 years [+-]\d+\.\d points \(90% interval [+-]\d+\.\d points to [+-]\d+\.\d points\)",
                     answer)
    assert re.search(r"It shows from week \d+: from then on the difference stays clear of noise", answer)
    chart = watched.page.locator("figure.cf-figure").first
    expect(chart.locator("svg text", has_text="week 26: change")).to_be_visible()  # the change marked
    expect(chart.get_by_text("shown from week 13 (retention is measured over the trailing quarter)")).to_be_visible()
    ticks = chart.locator(".axis text").evaluate_all("texts => texts.map(t => t.textContent)")
    assert "100" in ticks and "50" in ticks  # the axis does not zoom noise into events
    for _ in range(3):
        watched.step_button.click()
    watched.week(3)
    for name, size in SCREENS.items():
        watched.page.set_viewport_size({"width": size[0], "height": size[1]})
        watched.page.wait_for_timeout(500)
        watched.shot(f"01-answer-{name}")


def test_charts_are_svg_with_hover_values_and_a_text_alternative(watched):
    for week in range(1, 15):  # the run is drawn from week 13, once its trailing quarter is full
        watched.step_button.click()
        watched.week(week)
    figure = watched.page.locator("figure.cf-figure").first
    assert "retention" in figure.get_attribute("aria-label").lower()
    assert figure.locator("figcaption").inner_text().startswith("Customer retention, week by week, in %")
    assert watched.page.locator("img").count() == 0  # no server-drawn pictures
    dot = figure.locator(".dot").last
    dot.hover()
    expect(watched.page.get_by_text("retention %")).to_be_visible()
    watched.tab("Organisation")
    expect(watched.page.locator("figure.cf-figure")).to_have_count(3)
    watched.step_button.click()
    watched.week(15)
    watched.shot("02-organisation")


def test_play_on_explore_then_present_shows_pause_and_every_button_works(watched):
    watched.page.get_by_role("button", name="▶ Play").click()
    watched.tab("Present")
    pause = watched.page.get_by_role("button", name="❚❚ Pause")
    expect(pause).to_be_visible()
    pause.click()
    expect(watched.page.get_by_role("button", name="▶ Play")).to_be_visible()
    week = watched.page.get_by_text(re.compile(r"^Week \d+ of 104$")).inner_text()
    watched.page.wait_for_timeout(1000)
    assert watched.page.get_by_text(re.compile(r"^Week \d+ of 104$")).inner_text() == week  # paused
    watched.page.get_by_role("button", name="Reset").click()
    watched.week(0)
    watched.step_button.click()
    watched.week(1)


def test_the_comparison_keeps_its_choices_and_result_across_tabs(watched):
    for label, text in (("Employees", "120"), ("Customer accounts", "1,500"), ("Weeks to simulate", "40")):
        watched.fill(label, text)
    watched.week(0, 40)
    watched.tab("Compare")
    watched.select("First scenario", "Baseline")
    watched.select("Second scenario", "Courageous leadership")
    watched.fill("Replications", "4")
    watched.page.get_by_role("button", name="Run comparison").click()
    summary = watched.page.get_by_text("Mean annual retention over the last 40 weeks")
    expect(summary.first).to_be_visible()
    for tab in ("Explore", "Present", "Compare"):
        watched.tab(tab)
    expect(summary.first).to_be_visible()
    expect(watched.page.get_by_role("combobox", name="First scenario", exact=True)).to_have_value("Baseline")
    with watched.page.expect_download() as download:
        watched.page.get_by_text("comparison.csv").click()
    with open(download.value.path()) as csv:
        assert csv.readline().strip() == "scenario,week,retention_mean,retention_low_90%,retention_high_90%"
    watched.shot("03-comparison")


@pytest.mark.parametrize("screen", SCREENS)
def test_present_fits_one_projector_screen_with_large_chart_text_and_keys(browser, dashboard_url, screen):  # noqa: F811
    watched = Watched(browser, dashboard_url + "?preset=new_leadership_team", SCREENS[screen])
    watched.tab("Present")
    watched.answer()
    height = SCREENS[screen][1]
    for what in (watched.page.get_by_role("heading", name=LEADERSHIP), watched.step_button,
                 watched.page.get_by_role("button", name="Full screen"),
                 watched.page.get_by_role("combobox", name="Speed", exact=True),
                 watched.page.get_by_role("combobox", name="Scenario", exact=True),
                 watched.page.locator("figure.cf-figure svg.svg-figure").first):
        box = what.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, (what, box)
    sizes = watched.page.locator("figure.cf-figure svg text").evaluate_all(
        "texts => texts.filter(t => t.getBBox().width > 0).map(t => parseFloat(getComputedStyle(t).fontSize))")
    assert sizes and min(sizes) >= 18, sizes
    watched.page.locator("h1").click()  # nothing focused that takes keys itself
    watched.page.keyboard.press("ArrowRight")
    watched.week(1)
    watched.page.keyboard.press(" ")
    expect(watched.page.get_by_role("button", name="❚❚ Pause")).to_be_visible()
    watched.page.keyboard.press(" ")
    expect(watched.page.get_by_role("button", name="▶ Play")).to_be_visible()
    watched.shot(f"04-present-{screen}")
    watched.check()
    watched.close()


def test_plain_words_numbers_with_separators_and_plain_errors(watched):
    expect(watched.page.get_by_text("Leaders' courage: 0.10")).to_be_visible()
    expect(watched.page.get_by_text(re.compile(r"^0: leaders never take a hard decision\. 0\.5: "))).to_be_visible()
    watched.fill("Customer accounts", "4,000")
    expect(watched.page.get_by_label("Customer accounts", exact=True)).to_have_value("4,000")
    watched.fill("Employees", "a few")
    expect(watched.page.get_by_text("Employees: 'a few' is not allowed here; type a whole number from 24 to "
                                    "20,000").first).to_be_visible()
    watched.step_button.click()
    watched.week(1)  # still alive, still the last good setup
    watched.page.locator(".v-card", has_text="Organisation, length and seed").screenshot(
        path=ARTIFACTS / "05-plain-words.png")


def test_the_scenario_lives_in_the_address_and_in_a_file_cfsim_runs(watched, tmp_path):
    watched.select("Scenario", LEADERSHIP)
    watched.fill("Random seed (same seed, same run)", "77")
    expect(watched.page).to_have_url(re.compile(r"\?preset=new_leadership_team&seed=77$"))
    address = watched.page.url
    watched.goto(address)  # reload
    expect(watched.page.get_by_label("Random seed (same seed, same run)", exact=True)).to_have_value("77")
    expect(watched.page.get_by_text("week 26: Leaders' courage → 0.8")).to_be_visible()
    with watched.page.expect_download() as download:
        watched.page.get_by_text("Download scenario").click()
    saved = tmp_path / "mine.toml"
    download.value.save_as(saved)
    run = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(saved), "--weeks", "30",
                          "--out", str(tmp_path / "out.csv")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    edited = tmp_path / "edited.toml"
    edited.write_text(saved.read_text().replace("seed = 77", "seed = 5"))
    watched.page.get_by_label("scenario file to upload").set_input_files(edited)
    expect(watched.page.get_by_label("Random seed (same seed, same run)", exact=True)).to_have_value("5")
    bad = tmp_path / "bad.toml"
    bad.write_text("[parameters]\ntransparency = 3\n")
    watched.page.get_by_label("scenario file to upload").set_input_files(bad)
    expect(watched.page.get_by_text("bad.toml: parameters.transparency = 3 is out of range")).to_be_visible()
    assert "&seed=5&" in urllib.parse.urlparse(watched.page.url).query  # the upload is in the address too


def test_no_serious_accessibility_violations(watched, axe_core):  # noqa: F811
    watched.select("Scenario", LEADERSHIP)
    watched.answer()
    for tab in ("Explore", "Present"):
        watched.tab(tab)
        watched.page.wait_for_timeout(500)
        watched.page.add_script_tag(content=axe_core)
        found = watched.page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))"
                                      ".violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
                                      " help: v.help}))")
        serious = [v for v in found if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{tab}: {serious}"
