"""A learner's first notebook in JupyterLab, driven in Chromium: what unit tests cannot see.

One notebook per language is opened and run with Run All, as a learner would. The test then checks
that the notebook opened clean, the live plot updated while a load ran, no cell failed, Bangla text
in the plot is real text, a failing check's report is left-aligned with a coloured verdict and shows
``$`` literally, and the slider panel runs after Run All. Screenshots go to ``artifacts/browser/``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

import pytest

from browser_kit import ARTIFACTS, ROOT, Lab, chromium_path, jupyter_lab

from perflab.build.claims import CLAIMS_CELL, claims_printed
from perflab.build.python_stamp import stamp_notebooks

pytestmark = pytest.mark.notebook  # a kernel under load, like the notebook tests: run with them, two at a time

NOTEBOOK = "00_start_here.ipynb"
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"  # typeset as maths if the report lets MathJax in

# A failing report whose value holds "$...$": the learner's own value must show as it is.
REPORT_CELL = f"""from perflab.checking.engine import Outcome, Report
Report("browser", [Outcome("stores the hash", False, "the hash changed", actual={HASH!r})], 0.1)"""

# Counts the distinct live-plot frames (SVG in a widget) and keeps the text of the last one.
WATCH_FRAMES = """() => {
  window.perflabFrames = new Set(); window.perflabFrameText = "";
  new MutationObserver(() => {
    for (const svg of document.querySelectorAll(".widget-html-content svg")) {
      window.perflabFrames.add(svg.outerHTML); window.perflabFrameText = svg.textContent;
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""

# Text drawn with missing glyphs is a row of identical boxes: as wide as as many private-use characters.
GLYPHS_DRAWN = """(text) => {
  const ctx = document.createElement("canvas").getContext("2d"); ctx.font = "14px sans-serif";
  const letters = [...text].filter(c => c >= "\\u0980" && c <= "\\u09ff").join("");
  return letters.length > 0 &&
    Math.abs(ctx.measureText(letters).width - ctx.measureText("\\ue000".repeat(letters.length)).width) > 1;
}"""

BUSY = """() => [...document.querySelectorAll(".jp-CodeCell .jp-InputPrompt")].some(p => p.textContent.includes("*"))"""


# Done: nothing queued or running, and either the last cell ran or a cell failed (Run All stops there).
DONE = f"""() => !({BUSY})() && (document.querySelector(".jp-OutputArea-output[data-mime-type$='stderr']") ||
  /\\d/.test([...document.querySelectorAll(".jp-CodeCell .jp-InputPrompt")].pop().textContent))"""


def _run_and_wait(page: Any, timeout_ms: int) -> None:
    """Wait until every queued cell has run, or Run All stopped at a failing cell."""
    page.wait_for_timeout(500)
    page.wait_for_function(DONE, timeout=timeout_ms)


def _prepare(lang: str, folder: Path) -> Path:
    """Copy the language's notebook into ``folder``, stamped with this Python's version as ``make lab`` does."""
    target = folder / lang / NOTEBOOK
    target.parent.mkdir(parents=True)
    shutil.copyfile(ROOT / "notebooks" / lang / NOTEBOOK, target)
    stamp_notebooks(folder)  # as make lab does
    return target


def _add_cell(page: Any, source: str) -> None:
    """Add a code cell at the end, as a learner would, type ``source`` into it, and run it."""
    page.locator(".jp-CodeCell").last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.insert_text(source)
    page.keyboard.press("Shift+Enter")
    _run_and_wait(page, 30_000)


def _run_cell_containing(page: Any, text: str) -> None:
    """Click into the code cell whose source contains ``text`` and run it with Shift+Enter, then wait for it."""
    page.locator(".jp-CodeCell", has_text=text).first.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    _run_and_wait(page, 60_000)


def _errors_in(path: Path) -> list[str]:
    """Return every error output and every missing-glyph warning in the saved notebook."""
    found = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")) if output["output_type"] == "stream" else ""
            if output["output_type"] == "error" or "missing from font" in text:
                found.append(f"{cell.get('id')}: {output.get('ename', '')} {output.get('evalue', '')} {text[:300]}")
    return found


def _open_and_run_all(page: Any, lab: Lab, relative: str) -> None:
    """Open the notebook, check it is not marked changed, and run all its cells while frames are counted."""
    page.goto(lab.notebook_url(relative))
    lab.wait_for_idle_kernel()
    page.wait_for_timeout(2000)  # the kernel's language_info reaches the page: the moment a notebook turns "changed"
    assert page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0, "opened as changed"
    page.evaluate(WATCH_FRAMES)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
    _run_and_wait(page, 120_000)


def _check_report(page: Any) -> None:
    """The failing report: left-aligned, a red verdict, and the ``$`` value shown as it is, with no maths."""
    report = page.locator(".perflab-check").last
    assert HASH in report.inner_text()
    assert report.locator("mjx-container, .MathJax").count() == 0
    align = report.locator("td").last.evaluate("td => getComputedStyle(td).textAlign")
    colour = report.locator("span").first.evaluate("s => getComputedStyle(s).color")
    assert (align, colour) == ("left", "rgb(207, 34, 46)")


def _check_panel(page: Any, lang: str) -> None:
    """After Run All the cleanup cell stopped the server: Run says so; served again, Run adds a row and a chart."""
    panel = page.locator(".widget-vbox", has=page.locator(".widget-button")).first
    panel.locator(".widget-button").click()
    page.wait_for_timeout(1500)
    assert "Traceback" not in panel.inner_text()
    _run_cell_containing(page, 'name="first-app"')
    panel.locator(".widget-button").click()
    panel.locator("table tr").nth(1).wait_for(timeout=60_000)
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(ARTIFACTS / f"{lang}-panel.png"))
    shown = panel.evaluate("p => [...p.querySelectorAll('.jp-OutputArea-output')].map(o => o.className + ':' + [...o.querySelectorAll('*')].slice(0, 5).map(e => e.tagName).join(','))")
    assert panel.locator("img").count() > 0, shown


@pytest.mark.parametrize("lang", ["en", "bn", "ru"])
def test_a_learner_runs_the_first_notebook_in_jupyterlab(lang: str, tmp_path: Path,
                                                        record_property: Callable[[str, object], None]) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = _prepare(lang, tmp_path / "notebooks")
    with jupyter_lab(tmp_path / "notebooks", tmp_path / "lab") as lab, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            _open_and_run_all(page, lab, f"{lang}/{NOTEBOOK}")
            page.screenshot(path=str(ARTIFACTS / f"{lang}-run-all.png"), full_page=True)
            assert page.evaluate("window.perflabFrames.size") >= 3, "the live plot did not update"
            if lang == "bn":
                assert page.evaluate(GLYPHS_DRAWN, page.evaluate("window.perflabFrameText"))
            _add_cell(page, REPORT_CELL)
            _check_report(page)
            _check_panel(page, lang)
            _add_cell(page, CLAIMS_CELL.strip())
            page.keyboard.press("Control+s")
            page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')")
        finally:
            for page in browser.contexts[0].pages if browser.contexts else ():
                page.screenshot(path=str(ARTIFACTS / f"{lang}-last.png"))
            browser.close()
    assert _errors_in(path) == []
    cells = nbformat.read(path, as_version=4).cells
    claims = claims_printed(next(c for c in cells if "recorded_claims_json" in c.source))
    record_property("claims", [f"{lang}/{path.stem}/{c.name}: {c.value:.3g} (expected {c.expected})"
                               + ("" if c.holds else " FAILED") for c in claims])
    assert claims and all(c.holds for c in claims), [c for c in claims if not c.holds]
