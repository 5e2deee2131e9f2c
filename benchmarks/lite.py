"""Load and run times of every chapter in the browser edition, against the same notebook in CPython.

    .venv/bin/python benchmarks/lite.py [--chapters 01_neurons_and_layers ...] [--json FILE]

Needs the offline edition's cache (``make lite-cache``), Playwright and Chromium. It builds the offline
edition into a temporary folder, serves it on 127.0.0.1 and opens each chapter in a fresh headless Chromium
page (a new browser profile each time, so nothing is cached between chapters: every chapter is a first
visit). Per chapter:

- ``ready_s``: from opening the address to the setup cell done (Pyodide and IPython started, the course's
  packages installed), when the reader presses Run All as soon as the page lets them;
- ``first_result_s``: from opening the address to the chapter's first code cell after the setup cell
  showing its result, when the reader presses Run All as soon as the kernel is ready;
- ``run_all_s``: Run All, from the click to the last cell done;
- ``downloaded_mb``: what the site sent for that chapter (the browser caches nothing between chapters);
- ``cpython_s``: the same notebook run top to bottom by nbclient in this environment's CPython.

Results go to ``benchmarks/results/lite.json``. The machine's load moves every figure; the ratio to
CPython, measured in the same run, moves less.
"""

import argparse
import json
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tools import lite  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PROMPTS = "[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent)"
DONE = f"""() => {{
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = {PROMPTS};
  return indicator && indicator.dataset.status === 'idle' && !prompts.some(p => p.includes('*'))
         && prompts.some(p => /\\d/.test(p));
}}"""


def run_in_browser(playwright, server, chapter):
    """Open one chapter in a fresh browser, press Run All when the kernel is ready; the timings."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        server.sent.clear()
        opened = time.monotonic()
        page.goto(server.url(f"{chapter}.ipynb"))
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        page.wait_for_function("() => { const i = document.querySelector('.jp-Notebook-ExecutionIndicator');"
                               " return i && i.dataset.status === 'idle'; }", timeout=180_000, polling=100)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        clicked = time.monotonic()
        # the setup cell is the first code cell; the chapter's first result is the second one's number
        page.wait_for_function(f"() => {{ const p = {PROMPTS}; return p.length > 0 && /\\d/.test(p[0]); }}",
                               timeout=300_000, polling=100)
        ready = time.monotonic() - opened
        page.wait_for_function(f"() => {{ const p = {PROMPTS}; return p.length > 1 && /\\d/.test(p[1]); }}",
                               timeout=300_000, polling=100)
        first = time.monotonic() - opened
        page.wait_for_function(DONE, timeout=900_000, polling=250)
        run_all = time.monotonic() - clicked
        errors = page.evaluate("() => [...document.querySelectorAll("
                               "'.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]')]"
                               ".map(e => e.innerText).filter(t => /Traceback|Error\\b/.test(t)).length")
        return {"ready_s": round(ready, 1), "first_result_s": round(first, 1), "run_all_s": round(run_all, 1),
                "downloaded_mb": round(sum(server.sent.values()) / 1e6, 1), "error_outputs": errors}
    finally:
        browser.close()


def run_in_cpython(path):
    """Seconds to run the notebook top to bottom in a CPython kernel (nbclient)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    started = time.monotonic()
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return round(time.monotonic() - started, 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chapters", nargs="+", default=None, help="chapter stems (default: all)")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "lite.json")
    parser.add_argument("--no-cpython", action="store_true", help="skip the CPython column")
    args = parser.parse_args(argv)
    problems = lite.pyodide_problems()
    if problems:
        raise SystemExit("benchmarks/lite.py needs the Pyodide cache: run make lite-cache (" + "; ".join(problems) + ")")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="nnlite-lite-bench-") as tmp:
        site = Path(tmp) / "lite"
        record = lite.build(site, "local")
        chapters = args.chapters or [Path(n).stem for n in record["notebooks"]]
        server = lite.SiteServer(site)
        rows = {}
        with sync_playwright() as playwright:
            for chapter in chapters:
                row = run_in_browser(playwright, server, chapter)
                if not args.no_cpython:
                    row["cpython_s"] = run_in_cpython(site / "files" / f"{chapter}.ipynb")
                    row["browser_over_cpython"] = round(row["run_all_s"] / max(row["cpython_s"], 0.1), 1)
                rows[chapter] = row
                print(chapter, row, flush=True)
        server.close()
    result = {"machine": {"platform": platform.platform(), "python": platform.python_version(),
                          "cores": __import__("os").cpu_count()},
              "pyodide": record["pyodide_version"], "date": time.strftime("%Y-%m-%d"), "chapters": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"{'chapter':32} {'ready':>7} {'first':>7} {'run all':>8} {'CPython':>8} {'MB':>6}")
    for chapter, row in rows.items():
        print(f"{chapter:32} {row['ready_s']:7.1f} {row['first_result_s']:7.1f} {row['run_all_s']:8.1f} "
              f"{row.get('cpython_s', float('nan')):8.1f} {row['downloaded_mb']:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
