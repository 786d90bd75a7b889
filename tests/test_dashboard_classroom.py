"""A classroom: 30 browser sessions on one dashboard server, each stepping its own model with its own levers.

No session may see another's state and every session must stay responsive.
The latencies measured are written to test-artifacts/dashboard/classroom.json.

In a classroom each browser runs on a student's machine; here all 30 share the
server's two cores, so the pages switch off CSS animations (Solara's busy bar
repaints continuously) to leave the cores to the server being measured.
"""

import asyncio
import json
import re
import statistics
import time

from playwright.async_api import async_playwright, expect

from .dashboard_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, dashboard_url  # noqa: F401 (fixture)

STUDENTS = 30
RESPONSIVE = 60.0  # s: the slowest step a student may wait for, even with the whole class clicking at once
STILL = """document.addEventListener("DOMContentLoaded", () => {
  const style = document.createElement("style");
  style.textContent = "*, *::before, *::after { animation: none !important; transition: none !important; }";
  document.head.appendChild(style);
});"""
WAIT = 180_000  # ms: how long the test waits before calling a session dead


async def student(browser, url, number, latencies, loads):
    """Open the page, set my own seed and transparency, step my own number of weeks, check what I see."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    await context.add_init_script(STILL)
    page = await context.new_page()
    page.set_default_timeout(WAIT)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    started = time.perf_counter()
    await page.goto(url)
    step = page.get_by_role("button", name="Step", exact=True)
    await step.wait_for()
    loads.append(time.perf_counter() - started)
    seed = page.get_by_label("seed", exact=True)
    await seed.fill(str(1000 + number))
    await seed.press("Enter")
    await expect(page.get_by_text(re.compile(f"; seed {1000 + number}$"))).to_be_visible(timeout=WAIT)
    transparency = page.get_by_role("slider").nth(3)
    for press in range(1, number % 5 + 1):  # one notch at a time, each confirmed by the server, as a person would
        await transparency.press("ArrowRight")
        value = f"transparency {0.3 + 0.05 * press:.2f}, .*; seed {1000 + number}$"
        await expect(page.get_by_text(re.compile(value))).to_be_visible(timeout=WAIT)
    weeks = 1 + number % 4
    for week in range(1, weeks + 1):
        started = time.perf_counter()
        await step.click()
        await expect(page.get_by_text(f"Week {week} of 104", exact=True)).to_be_visible(timeout=WAIT)
        latencies.append(time.perf_counter() - started)
    await page.wait_for_timeout(500)
    seen = {"week": await page.get_by_text(" of 104").first.inner_text(),
            "seed": await seed.input_value(),
            "running": await page.get_by_text("Running with").inner_text(), "errors": errors}
    await context.close()
    return weeks, seen


async def classroom(url):
    latencies, loads = [], []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        started = time.perf_counter()
        results = await asyncio.gather(*(student(browser, url, n, latencies, loads) for n in range(STUDENTS)))
        wall = time.perf_counter() - started
        await browser.close()
    return results, latencies, loads, wall


def test_thirty_students_each_see_only_their_own_model(dashboard_url):  # noqa: F811
    results, latencies, loads, wall = asyncio.run(classroom(dashboard_url))
    for number, (weeks, seen) in enumerate(results):
        assert seen["errors"] == []
        assert seen["week"] == f"Week {weeks} of 104", f"student {number} sees another's steps: {seen}"
        assert seen["seed"] == str(1000 + number)
        assert re.search(f"transparency {0.3 + 0.05 * (number % 5):.2f}, .*; seed {1000 + number}$", seen["running"])
    figures = {"students": STUDENTS, "steps": len(latencies), "wall_seconds": round(wall, 1),
               "page_load_median_s": round(statistics.median(loads), 2),
               "page_load_slowest_s": round(max(loads), 2),
               "step_latency_median_s": round(statistics.median(latencies), 2),
               "step_latency_slowest_s": round(max(latencies), 2)}
    (ARTIFACTS / "classroom.json").write_text(json.dumps(figures, indent=2))
    print(f"classroom: {figures}")
    assert max(latencies) < RESPONSIVE, figures
