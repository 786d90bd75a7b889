"""A classroom: 30 browser sessions on one dashboard server, each stepping its own model with its own levers.

No session may see another's state (a hard failure). Every session should
stay responsive: the slowest step should come back within 5 s (the aim is a
p95 under 1 s); on this 2-core machine, where the 30 browsers draw on the
server's own cores, that target of issue 12 is not reliably met, so a miss is
reported as an expected failure naming the figure, not hidden. A seed typed
while the page is still settling can be lost (a known race): the student
retypes it once, and the count is reported. The figures go to
test-artifacts/dashboard/classroom.json, with the server's CPU per step
measured two ways, so the browsers' own drawing (all 30 share this
machine here; in a class each runs on a student's laptop) is not charged to
the server:

- ``server_cpu_per_step_ms``: the server process's CPU time while the class
  steps, divided by the steps; it includes the replications each student's
  bands run in the background, so it is an upper bound;
- ``step_cpu_in_process_ms``: one page rendered in this process, the CPU time
  of a Step click (the model's week, the snapshot, the redraw and the charts'
  new data), median of 30 clicks at the default size.

The pages switch off CSS animations (Solara's busy bar repaints
continuously) to leave the shared cores to the server being measured.
"""

import asyncio
import json
import statistics
import time

import numpy as np
import psutil
import pytest
import solara
from playwright.async_api import async_playwright, expect

from .dashboard_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, SERVERS, dashboard_url  # noqa: F401 (fixture)
from .test_dashboard_components import InLayout, button, fresh_tab_state, see

STUDENTS = 30
RESPONSIVE = 5.0  # s: the slowest step a student may wait for, even with the whole class clicking at once
STILL = """document.addEventListener("DOMContentLoaded", () => {
  const style = document.createElement("style");
  style.textContent = "*, *::before, *::after { animation: none !important; transition: none !important; }";
  document.head.appendChild(style);
});"""
WAIT = 180_000  # ms: how long the test waits before calling a session dead
RETYPE = 30_000  # ms: a seed typed while the page was still settling can be lost (a known race); a student retypes
SEED = "Random seed (same seed, same run)"


async def student(browser, url, number, ready, go, latencies, loads, retyped):
    """Open the page, set my own seed and openness, wait for the class, step my own number of weeks."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    await context.add_init_script(STILL)
    page = await context.new_page()
    page.set_default_timeout(WAIT)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "blob:", "data:"))
            or errors.append(f"off this machine: {r.url}"))
    started = time.perf_counter()
    await page.goto(url)
    step = page.get_by_role("button", name="Step", exact=True)
    await step.wait_for()
    await page.get_by_text("Customer retention, week by week").first.wait_for()  # drawn: the page is live
    loads.append(time.perf_counter() - started)
    seed = page.get_by_label(SEED, exact=True)
    shown = page.get_by_text(f"Seed {1000 + number:,}", exact=True)
    for attempt in range(2):  # once more if the entry was lost, as a person would; counted in the figures
        await seed.fill(f"{1000 + number:,}")
        await seed.press("Enter")
        try:
            await expect(shown).to_be_visible(timeout=RETYPE if attempt == 0 else WAIT)
            break
        except AssertionError:
            if attempt:
                raise
            retyped.append(number)
    openness = page.get_by_role("slider").nth(3)  # after the pause and weeks-per-step sliders, and courage
    for press in range(1, number % 5 + 1):  # one notch at a time, each confirmed by the server, as a person would
        await openness.press("ArrowRight")
        await expect(page.get_by_text(f"Leaders' openness: {0.3 + 0.05 * press:.2f}")).to_be_visible(timeout=WAIT)
    ready.append(number)
    await go.wait()
    weeks = 1 + number % 4
    for week in range(1, weeks + 1):
        started = time.perf_counter()
        await step.click()
        await expect(page.get_by_text(f"Week {week} of 104", exact=True)).to_be_visible(timeout=WAIT)
        latencies.append(time.perf_counter() - started)
    await page.wait_for_timeout(500)
    seen = {"week": await page.get_by_text(" of 104").first.inner_text(),
            "seed": await seed.input_value(),
            "levers": await page.get_by_text("Levers now:").inner_text(), "errors": errors}
    await context.close()
    return weeks, seen


async def classroom(url):
    latencies, loads, ready, retyped = [], [], [], []
    go = asyncio.Event()
    server = psutil.Process(SERVERS[url])
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        started = time.perf_counter()
        students = [asyncio.create_task(student(browser, url, n, ready, go, latencies, loads, retyped))
                    for n in range(STUDENTS)]
        while len(ready) < STUDENTS:
            failed = [s.exception() for s in students if s.done() and s.exception()]
            assert not failed, f"a student's page failed: {failed[0]!r}"
            await asyncio.sleep(0.2)
        cpu = server.cpu_times()
        go.set()
        stepping = time.perf_counter()
        results = await asyncio.gather(*students)
        stepping = time.perf_counter() - stepping
        after = server.cpu_times()
        wall = time.perf_counter() - started
        await browser.close()
    cpu_seconds = (after.user + after.system) - (cpu.user + cpu.system)
    return results, latencies, loads, wall, stepping, cpu_seconds, len(retyped)


def step_cpu_in_process(clicks=30) -> list[float]:
    """CPU time (ms) of each Step click on one page rendered in this process, at the default size."""
    fresh_tab_state()
    box, rc = solara.render(InLayout(), handle_error=False)
    try:
        times = []
        for week in range(1, clicks + 1):
            step = button(rc, "Step")
            started = time.thread_time()
            step.click()
            times.append(1000 * (time.thread_time() - started))
            see(box, f"Week {week} of 104")
        return times
    finally:
        rc.close()


def test_thirty_students_each_see_only_their_own_model(dashboard_url):  # noqa: F811
    results, latencies, loads, wall, stepping, cpu_seconds, retyped = asyncio.run(classroom(dashboard_url))
    for number, (weeks, seen) in enumerate(results):
        assert seen["errors"] == []
        assert seen["week"] == f"Week {weeks} of 104", f"student {number} sees another's steps: {seen}"
        assert seen["seed"] == f"{1000 + number:,}"
        assert f"Leaders' openness {0.3 + 0.05 * (number % 5):.2f}" in seen["levers"], seen
    in_process = step_cpu_in_process()
    figures = {"students": STUDENTS, "steps": len(latencies), "wall_seconds": round(wall, 1),
               "page_load_median_s": round(statistics.median(loads), 2),
               "page_load_slowest_s": round(max(loads), 2),
               "step_latency_median_s": round(statistics.median(latencies), 3),
               "step_latency_p95_s": round(float(np.percentile(latencies, 95)), 3),
               "step_latency_slowest_s": round(max(latencies), 3),
               "stepping_phase_seconds": round(stepping, 1),
               "server_cpu_per_step_ms": round(1000 * cpu_seconds / len(latencies), 1),
               "step_cpu_in_process_ms": round(statistics.median(in_process), 1),
               "seed_entries_retyped": retyped,
               "note": "server CPU per step includes background replications for the bands; the 30 browsers run "
                       "on the server's own cores, so latencies include their rendering"}
    (ARTIFACTS / "classroom.json").write_text(json.dumps(figures, indent=2))
    print(f"classroom: {figures}")
    if max(latencies) >= RESPONSIVE:  # an open target of issue 12, reported rather than hidden; isolation above is hard
        pytest.xfail(f"issue 12 (open): slowest step {max(latencies):.1f} s, target under {RESPONSIVE:g} s, with the "
                     f"30 browsers drawing on the server's own 2 cores; figures in classroom.json")
