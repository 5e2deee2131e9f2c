"""The rendered book in headless Chromium (Playwright), served on 127.0.0.1.

- every page loads with no console error, no uncaught exception, no failed request, and no request
  that leaves the local server (MathJax, RequireJS and the widget manager are vendored);
- on every widget, each control that responds without a kernel, moved with the keyboard, changes the
  figure shown. Screenshots before and after go to ``test-artifacts/widgets/``;
- on every widget, every control a reader can reach either changes the figure when moved, or is disabled
  with the reason beside it (the controls that need a kernel; book/_ext/static/widgets-offline.js);
- in JupyterLab with a kernel, the controls the book cannot serve are enabled and redraw too (and the
  playground trains).

The book is built once by the ``built_book`` fixture. Skipped (with the reason) when Playwright or
Chromium is missing; under NNLITE_STRICT=1 a skip is a failure.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tools.lite import SiteServer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "widgets"
WIDGET_TIMEOUT_MS = 60_000      # the widget manager parses a few MB of saved state on a busy machine


@pytest.fixture(scope="module")
def html_dir(request):
    """The built book. NNLITE_BOOK_HTML may name an already built ``_build/html`` to skip the build."""
    prebuilt = os.environ.get("NNLITE_BOOK_HTML")
    if prebuilt:
        return Path(prebuilt)
    return request.getfixturevalue("built_book")


@pytest.fixture(scope="module")
def server(html_dir):
    """Serve the book on 127.0.0.1 (a free port) from a thread; yields the base URL."""
    server = SiteServer(html_dir)
    yield server.base + "/"
    server.close()


def book_pages(html_dir):
    """Every HTML page of the book (not the theme's template fragments under _static, not sources, not
    the browser edition that ``make lite`` puts in lite/, which loads Pyodide from its CDN: test_lite.py
    tests it offline)."""
    pages = []
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir).as_posix()
        if rel.startswith(("_static/", "_sources/", "_images/", "lite/")):
            continue
        pages.append(rel)
    return pages


def widget_pages(html_dir):
    return [rel for rel in book_pages(html_dir)
            if "application/vnd.jupyter.widget-state+json" in (html_dir / rel).read_text(encoding="utf-8")]


class PageWatch:
    """Record what a page does: console errors, uncaught exceptions, failed and off-site requests."""

    def __init__(self, page, base):
        self.host = urlparse(base).netloc
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.problems.append(f"uncaught exception: {err}"))
        page.on("request", self._request)
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", self._response)

    def _console(self, msg):
        if msg.type == "error":
            self.problems.append(f"console error: {msg.text} @ {msg.location.get('url', '')}")

    def _request(self, request):
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.netloc != self.host:
            self.problems.append(f"request leaving the local server: {request.url}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")


def open_page(browser, base, rel):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    watch = PageWatch(page, base)
    page.goto(base + rel, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, watch


def wait_for_widgets(page):
    """Wait until the widget manager has rendered the page's saved widget views."""
    page.wait_for_function("document.querySelectorAll('.jupyter-widgets').length > 0", timeout=WIDGET_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")


def test_every_page_loads_cleanly(browser, server, html_dir):
    pages = book_pages(html_dir)
    assert pages, f"no HTML pages in {html_dir}"
    problems = {}
    for rel in pages:
        page, watch = open_page(browser, server, rel)
        if rel in widget_pages(html_dir):
            wait_for_widgets(page)
        page.wait_for_timeout(300)                      # late console messages (MathJax typesetting)
        if watch.problems:
            problems[rel] = watch.problems
        page.close()
    assert not problems, "pages with problems:\n" + "\n".join(
        f"{rel}:\n  " + "\n  ".join(p) for rel, p in problems.items())


def test_math_renders_offline(browser, server, html_dir):
    """MathJax 3 is served by the book and typesets (pages with math show mjx-container elements)."""
    with_math = [rel for rel in book_pages(html_dir)
                 if 'class="math' in (html_dir / rel).read_text(encoding="utf-8")]
    if not with_math:
        pytest.skip("the book has no math yet")
    page, watch = open_page(browser, server, with_math[0])
    page.wait_for_selector("mjx-container", timeout=WIDGET_TIMEOUT_MS)
    assert page.locator("mjx-container").count() > 0
    assert not watch.problems, watch.problems
    page.close()


VISIBLE_FRAME_JS = """root => {
  const shown = [...root.querySelectorAll('img.nnlite-frame')].filter(img => img.getClientRects().length > 0);
  return shown.map(img => img.getAttribute('alt') + '|' + img.getAttribute('src').length + '|' +
                          img.getAttribute('src').slice(-64));
}"""


def _slug(text):
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60]


def each_widget(browser, server, html_dir, failures):
    """Every widget on every built page, scrolled into view: yields (page path, page, index, widget).
    What a page did wrong (console errors, failed or off-site requests) is added to ``failures``."""
    pages = widget_pages(html_dir)
    if not pages:
        pytest.fail("no page of the book has saved widget state: were the notebooks executed with widgets?")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for rel in pages:
        page, watch = open_page(browser, server, rel)
        wait_for_widgets(page)
        page.wait_for_selector(".nnlite-widget img.nnlite-frame", timeout=WIDGET_TIMEOUT_MS)
        widgets = page.locator(".nnlite-widget")
        for w in range(widgets.count()):
            widget = widgets.nth(w)
            widget.scroll_into_view_if_needed()
            yield rel, page, w, widget
        if watch.problems:
            failures.append(f"{rel}: " + "; ".join(watch.problems))
        page.close()


def test_responsive_controls_change_the_figure(browser, server, html_dir):
    checked, failures = [], []
    for rel, page, w, widget in each_widget(browser, server, html_dir, failures):
        controls = widget.locator(".nnlite-responsive")
        assert controls.count() > 0, f"{rel}: widget {w} has no control that responds without a kernel"
        for c in range(controls.count()):
            control = controls.nth(c)
            kind = "slider" if control.locator(".noUi-handle").count() else "buttons"
            frames_before = widget.evaluate(VISIBLE_FRAME_JS)
            name = f"{_slug(rel)}-w{w}-c{c}-{kind}"
            widget.screenshot(path=str(ARTIFACTS / f"{name}-before.png"))
            _move(page, control, kind)
            page.wait_for_timeout(150)
            frames_after = widget.evaluate(VISIBLE_FRAME_JS)
            widget.screenshot(path=str(ARTIFACTS / f"{name}-after.png"))
            label = f"{rel} widget {w} control {c} ({kind})"
            checked.append(label)
            if len(frames_before) != 1 or len(frames_after) != 1:
                failures.append(f"{label}: expected one visible frame, saw {len(frames_before)} before and "
                                f"{len(frames_after)} after")
            elif frames_before == frames_after:
                failures.append(f"{label}: the figure did not change ({frames_before[0][:80]})")
    assert checked, "no responsive control found"
    assert not failures, "\n".join(failures)


KERNEL_REASON = "needs a running kernel"      # the reason a control is disabled on the book's pages

# Every element of a widget a reader can operate, grouped by the ipywidgets control it belongs to (the
# closest widget element that is not a box): tags each control with data-control=<n>, describes it.
CONTROLS_JS = """(widget) => {
  const interactive = 'select, button, input, textarea, [contenteditable], [role="slider"], .noUi-handle, ' +
                      'a[href], [tabindex]';
  const off = el => {                          // is this part disabled, for the pointer, the keyboard and AT?
    if (el.matches('select, button, input, textarea')) {
      return el.disabled && el.getAttribute('aria-disabled') === 'true';
    }
    if (el.matches('.noUi-handle')) {
      return el.getAttribute('aria-disabled') === 'true' && el.getAttribute('tabindex') === '-1' &&
             !!el.closest('.noUi-target[disabled]');
    }
    if (el.hasAttribute('contenteditable')) {
      return !el.isContentEditable && el.getAttribute('aria-disabled') === 'true';
    }
    return el.getAttribute('tabindex') === '-1';
  };
  const visible = el => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const roots = [];
  for (const el of widget.querySelectorAll(interactive)) {
    if (!visible(el)) continue;
    const root = el.closest('.lm-Widget:not(.widget-container)');
    if (root && !roots.includes(root)) roots.push(root);
  }
  return roots.map((root, n) => {
    root.setAttribute('data-control', String(n));
    const parts = [...root.querySelectorAll(interactive)].filter(visible);
    const kind = root.querySelector('.noUi-handle') ? 'slider' : root.querySelector('select') ? 'dropdown'
               : root.matches('.widget-toggle-buttons') ? 'buttons' : 'unknown: ' + root.className;
    const described = parts.map(p => document.getElementById(p.getAttribute('aria-describedby') || ''));
    const row = root.parentElement;
    const shown = [...row.querySelectorAll('*')].filter(el => visible(el) && el.children.length === 0)
                                                .map(el => el.textContent).join(' ');
    return {
      n, kind, off: parts.map(off),
      label: (root.querySelector('.widget-label, label') || {}).textContent || row.innerText.split('\\n')[0],
      titles: [root.title, ...parts.map(p => p.title)],
      described: described.map(d => visible(d) ? d.textContent : ''),
      shown,
    };
  });
}"""

# What a control shows as its value: the slider's readout, the dropdown's choice, the pressed button.
CONTROL_VALUE_JS = """root => {
  const readout = root.querySelector('.widget-readout');
  if (readout) return readout.textContent;
  const select = root.querySelector('select');
  if (select) return select.value;
  const active = root.querySelector('button.mod-active');
  return active ? active.textContent : root.innerText;
}"""


def _move(page, control, kind):
    """Move a control one step with the keyboard, the way a reader would (nothing focused first, so a
    key meant for a disabled control cannot move another one)."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    if kind == "slider":
        handle = control.locator(".noUi-handle").first
        at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        handle.focus()
        page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
    elif kind == "dropdown":
        select = control.locator("select").first
        last = select.evaluate("s => s.selectedIndex === s.options.length - 1")
        select.focus()
        page.keyboard.press("ArrowUp" if last else "ArrowDown")
    elif kind == "buttons":
        buttons = control.locator("button")
        classes = [buttons.nth(i).get_attribute("class") or "" for i in range(buttons.count())]
        selected = next((i for i, c in enumerate(classes) if "mod-active" in c), 0)
        buttons.nth((selected + 1) % buttons.count()).focus()
        page.keyboard.press("Space")
    else:
        raise AssertionError(f"no keyboard move for a control of kind {kind!r}: teach _move")


def test_every_control_changes_the_figure_or_is_disabled_with_the_reason(browser, server, html_dir):
    """Each control a reader can reach in every widget of the book: either it is disabled (for the
    pointer, the keyboard and assistive technology) with the reason visible beside it, its tooltip and
    its accessible description, and a key press changes nothing; or a key press changes the figure."""
    summary, failures = [], []
    for rel, page, w, widget in each_widget(browser, server, html_dir, failures):
        widget.screenshot(path=str(ARTIFACTS / f"{_slug(rel)}-w{w}-static.png"))
        controls = widget.evaluate(CONTROLS_JS)
        if not controls:
            failures.append(f"{rel} widget {w}: no control found")
        counts = {"responds": 0, "disabled": 0}
        for info in controls:
            label = f"{rel} widget {w} control {info['n']} ({info['kind']} {info['label'].strip()!r})"
            control = widget.locator(f"[data-control='{info['n']}']")
            if any(info["off"]) and not all(info["off"]):
                failures.append(f"{label}: partly disabled {info['off']}")
                continue
            disabled = all(info["off"])
            if disabled:
                if KERNEL_REASON not in info["shown"]:
                    failures.append(f"{label}: disabled, but no visible reason beside it ({info['shown']!r})")
                if not all(KERNEL_REASON in t for t in info["titles"]):
                    failures.append(f"{label}: disabled, but not every part has the reason as tooltip")
                if not all(KERNEL_REASON in d for d in info["described"]):
                    failures.append(f"{label}: disabled, but its accessible description is not the visible reason")
            frames_before = widget.evaluate(VISIBLE_FRAME_JS)
            value_before = control.evaluate(CONTROL_VALUE_JS)
            try:
                _move(page, control, info["kind"])
            except AssertionError as err:
                failures.append(f"{label}: {err}")
                continue
            page.wait_for_timeout(150)
            frames_after = widget.evaluate(VISIBLE_FRAME_JS)
            value_after = control.evaluate(CONTROL_VALUE_JS)
            if len(frames_before) != 1 or len(frames_after) != 1:
                failures.append(f"{label}: expected one visible frame, saw {len(frames_before)} before and "
                                f"{len(frames_after)} after")
            elif disabled:
                counts["disabled"] += 1
                if (frames_before, value_before) != (frames_after, value_after):
                    failures.append(f"{label}: disabled, yet a key press moved it ({value_before!r} -> "
                                    f"{value_after!r})")
            else:
                counts["responds"] += 1
                if value_before == value_after:
                    failures.append(f"{label}: a key press did not move it (stays {value_before!r})")
                elif frames_before == frames_after:
                    failures.append(f"{label}: moved from {value_before!r} to {value_after!r}, but the figure "
                                    f"did not change ({frames_before[0][:80]})")
        summary.append(f"{rel} widget {w}: {len(controls)} controls, {counts['responds']} respond, "
                       f"{counts['disabled']} disabled with the reason")
    print("\n".join(summary))
    assert summary, "no widget found"
    assert not failures, "\n".join(failures)


# ----------------------------------------------------------------------------------------------------
# Live in JupyterLab: with a kernel, every control redraws, including those the book cannot serve
# ----------------------------------------------------------------------------------------------------

LIVE_NOTEBOOK = """from nnlite import widgets
neuron = widgets.neuron_explorer()
playground = widgets.training_playground(lrs=(0.1,), epochs=8)
display(neuron, playground)"""

SHOWN_ALTS_JS = """() => [...document.querySelectorAll('.nnlite-widget img.nnlite-frame')]
    .filter(img => img.getClientRects().length > 0).map(img => img.alt)"""

# For each widget, its live-only controls: is any part disabled (select, buttons, slider, readout)?
LIVE_CONTROLS_JS = """() => [...document.querySelectorAll('.nnlite-widget')].map(widget =>
  [...widget.querySelectorAll('.nnlite-live')].map(c => ({
    label: c.innerText.split('\\n')[0],
    title: c.title || '',
    disabled: c.matches('.nnlite-static-disabled, [aria-disabled="true"]') ||
      [...c.querySelectorAll('select, button, input, .noUi-target, .noUi-handle, .widget-readout')].some(p =>
        p.disabled === true || p.hasAttribute('disabled') || p.getAttribute('aria-disabled') === 'true' ||
        (p.matches('.widget-readout') && !p.isContentEditable))
  })))"""


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 with one notebook; yields the notebook's URL (with token)."""
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed (it is in requirements.txt)")
    nbformat = pytest.importorskip("nbformat")
    from tests._jupyter import ANNOUNCEMENTS, JupyterServer

    home = tmp_path_factory.mktemp("lab")
    root = home / "root"
    root.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(LIVE_NOTEBOOK)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "live.ipynb")
    server = JupyterServer("lab", root, home, disabled=[ANNOUNCEMENTS]).start()
    try:
        yield server.url("live.ipynb")
    finally:
        server.stop()


def _wait_for_alt(page, text):
    page.wait_for_function(
        f"() => ({SHOWN_ALTS_JS})().some(alt => alt.includes({text!r}))", timeout=WIDGET_TIMEOUT_MS)


def test_every_control_redraws_live_in_jupyterlab(browser, jupyterlab):
    page = browser.new_page(viewport={"width": 1300, "height": 1600})
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(jupyterlab)
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputArea-editor", timeout=120_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator, .jp-KernelStatus", timeout=120_000)
    page.wait_for_timeout(3000)                             # the kernel connects
    page.locator(".jp-Cell .jp-InputArea-editor").first.click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_selector(".nnlite-widget img.nnlite-frame", timeout=180_000)
    page.wait_for_function("document.querySelectorAll('.nnlite-widget').length == 2", timeout=180_000)
    neuron, playground = page.locator(".nnlite-widget").nth(0), page.locator(".nnlite-widget").nth(1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # with a kernel, the controls the book's pages disable are enabled (6 in the neuron, 2 in the playground)
    live = page.evaluate(LIVE_CONTROLS_JS)
    assert [len(live_in) for live_in in live] == [6, 2], live
    disabled = [c for live_in in live for c in live_in if c["disabled"] or KERNEL_REASON in c["title"]]
    assert not disabled, f"live-only controls disabled in JupyterLab with a kernel: {disabled}"
    neuron.screenshot(path=str(ARTIFACTS / "jupyterlab-neuron-before.png"))
    # a live-only dropdown, a live-only slider moved by keyboard, then a responsive slider
    neuron.locator(".nnlite-live select").select_option(label="ReLU")
    _wait_for_alt(page, "ReLU activation")
    neuron.locator(".nnlite-live .noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    _wait_for_alt(page, "weights 0.3, 0.3, 0.8")
    neuron.locator(".nnlite-responsive .noUi-handle").nth(1).focus()
    page.keyboard.press("ArrowRight")
    _wait_for_alt(page, "bias -1.5")
    neuron.screenshot(path=str(ARTIFACTS / "jupyterlab-neuron-after.png"))
    # the playground trains live for a number of hidden units the book has no frames for
    playground.locator(".nnlite-live select").nth(1).select_option(label="32")
    _wait_for_alt(page, "32 hidden units")
    playground.screenshot(path=str(ARTIFACTS / "jupyterlab-playground-live.png"))
    assert not errors, errors
    page.close()
