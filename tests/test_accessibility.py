"""Accessibility of the rendered book (WCAG 2.1 AA and what a screen-reader user expects), in Chromium.

- axe-core 4.14.1 (vendored in ``tests/vendor/axe-core``, MPL-2.0) on every built page of both editions,
  with the widgets rendered: tags ``wcag2a, wcag2aa, wcag21a, wcag21aa`` plus the experimental rule
  ``label-content-name-mismatch`` (WCAG 2.5.3, an AA criterion). Any critical or serious finding fails;
- every widget control has an accessible name that holds its visible label, announces its real value
  (``aria-valuetext`` for sliders), the selected toggle is ``aria-pressed``, the figure's alt text sits
  in a polite live region, and the keyboard focus ring has at least 3:1 contrast;
- a keyboard user reaches the first widget of each page in a handful of Tab presses (the skip link to
  the widgets, formulas out of the tab order) and moves every responsive control with the keyboard;
- at 320 CSS px no page scrolls sideways (code blocks and tables may scroll inside themselves).

The books are built once per session (``built_book``, ``student_edition``); NNLITE_BOOK_HTML and
NNLITE_STUDENT_HTML may name already built ``_build/html`` folders.
"""

import os
from pathlib import Path

import numpy as np
import pytest

from tools.lite import SiteServer

browser_test = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_EXTRA_RULES = ["label-content-name-mismatch"]        # experimental in axe, WCAG 2.5.3 (AA)
FAILING_IMPACTS = ("critical", "serious")
MAX_TABS_TO_WIDGET = 6         # Tab presses from the top of a page to the first widget control
FOCUS_CONTRAST = 3.0           # WCAG 1.4.11: a focus indicator against what is next to it
WIDGET_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module", params=["full", "student"])
def edition(request):
    """(edition name, built HTML folder, base URL of a local server over it), one edition at a time."""
    env = {"full": "NNLITE_BOOK_HTML", "student": "NNLITE_STUDENT_HTML"}[request.param]
    fixture = {"full": "built_book", "student": "student_edition"}[request.param]
    html = Path(os.environ[env]) if os.environ.get(env) else request.getfixturevalue(fixture)
    server = SiteServer(html)
    yield request.param, html, server.base + "/"
    server.close()


def book_pages(html_dir):
    """Every HTML page of a built book (not the theme's fragments under _static, not sources, not the
    browser edition that ``make lite`` puts in lite/: JupyterLite's pages are tested in test_lite.py)."""
    return [p.relative_to(html_dir).as_posix() for p in sorted(html_dir.rglob("*.html"))
            if not p.relative_to(html_dir).as_posix().startswith(("_static/", "_sources/", "_images/", "lite/"))]


def has_widgets(html_dir, rel):
    return "application/vnd.jupyter.widget-state+json" in (html_dir / rel).read_text(encoding="utf-8")


def open_page(browser, base, html_dir, rel, width=1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base + rel, wait_until="load")
    if has_widgets(html_dir, rel):
        page.wait_for_selector(".nnlite-widget img.nnlite-frame", timeout=WIDGET_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise ? "
                  "MathJax.startup.promise.then(() => true) : true")       # formulas typeset
    return page


def run_axe(page):
    """axe-core's violations on the page, as a list of dicts (rule id, impact, nodes' targets)."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS},
               "rules": {rule: {"enabled": True} for rule in AXE_EXTRA_RULES},
               "resultTypes": ["violations"]}
    return page.evaluate("""async options => {
      const result = await axe.run(document, options);
      const ran = [...result.violations, ...result.passes, ...result.incomplete, ...result.inapplicable]
                  .map(r => r.id);
      return {ran, violations: result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}))};
    }""", options)


@pytest.fixture(scope="module")
def visits(browser, edition):
    """Every page of the edition, visited once (one browser for the module): axe-core at 1280 px with
    the widgets drawn; on widget pages the controls' names and values, then the keyboard walk; last the
    overflow at 320 px. Returns {page: {"axe": ..., "widgets": ..., "keyboard": ..., "overflow": px}}."""
    name, html, base = edition
    pages = book_pages(html)
    assert pages, f"no HTML pages in {html}"
    out = {}
    for rel in pages:
        page = open_page(browser, base, html, rel)
        visit = {"axe": run_axe(page), "widgets": None, "keyboard": None}
        if has_widgets(html, rel):
            visit["widgets"] = page.evaluate(WIDGET_ARIA_JS)
            visit["keyboard"] = keyboard_walk(page, rel)
        page.set_viewport_size({"width": 320, "height": 900})
        page.wait_for_timeout(100)
        visit["overflow"] = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        out[rel] = visit
        page.close()
    return out


@browser_test
def test_axe_runs_every_rule_asked_for(visits):
    """The experimental rule is really run (a typo in its name would silently run nothing)."""
    for rel, visit in visits.items():
        assert set(AXE_EXTRA_RULES) <= set(visit["axe"]["ran"]), f"{rel}: axe did not run {AXE_EXTRA_RULES}"


@browser_test
def test_no_critical_or_serious_axe_finding(visits, edition):
    found = []
    for rel, visit in visits.items():
        for v in visit["axe"]["violations"]:
            if v["impact"] in FAILING_IMPACTS:
                targets = "; ".join(n["target"] for n in v["nodes"][:5])
                found.append(f"{rel}: {v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']} -- {targets}")
    assert not found, f"{edition[0]} edition, axe-core findings:\n" + "\n".join(found)


# ----------------------------------------------------------------------------------------------------
# Widgets: names, values, announcements, focus, keyboard
# ----------------------------------------------------------------------------------------------------

# For every responsive control of every widget: its visible label, its accessible name parts and state.
WIDGET_ARIA_JS = """() => [...document.querySelectorAll('.nnlite-widget')].map(widget => {
  const text = id => { const el = document.getElementById(id); return el ? el.textContent.trim() : ''; };
  const names = el => (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean).map(text)
                      .join(' ') || el.getAttribute('aria-label') || '';
  const sliders = [...widget.querySelectorAll('.nnlite-responsive [role="slider"]')].map(h => {
    const root = h.closest('.nnlite-responsive');
    return {kind: 'slider', name: names(h), label: (root.querySelector('.widget-label') || {}).textContent || '',
            valuetext: h.getAttribute('aria-valuetext') || '',
            readout: (root.querySelector('.widget-readout') || {}).textContent || ''};
  });
  const groups = [...widget.querySelectorAll('.nnlite-responsive.widget-toggle-buttons')].map(g => {
    const buttons = [...g.querySelectorAll('button')];
    return {kind: 'buttons', name: names(g), role: g.getAttribute('role') || '',
            label: (g.parentElement.querySelector('.nnlite-row-label') || {}).textContent || '',
            pressed: buttons.map(b => b.getAttribute('aria-pressed')),
            active: buttons.map(b => b.classList.contains('mod-active') ? 'true' : 'false')};
  });
  const live = widget.querySelector('[aria-live="polite"]');
  const shown = [...widget.querySelectorAll('img.nnlite-frame')].filter(i => i.getClientRects().length);
  return {sliders, groups, live: live ? live.textContent.trim() : null,
          alt: shown.length ? shown[0].alt : null};
})"""


def _widget_visits(visits, edition):
    found = {rel: v for rel, v in visits.items() if v["widgets"] is not None}
    if not found:
        pytest.fail(f"{edition[0]} edition: no page has saved widget state")
    return found


@browser_test
def test_widget_controls_are_named_and_announce_their_values(visits, edition):
    failures, seen = [], 0
    for rel, visit in _widget_visits(visits, edition).items():
        for w, info in enumerate(visit["widgets"]):
            where = f"{rel} widget {w}"
            for s in info["sliders"]:
                seen += 1
                if not s["label"].strip() or s["label"].strip() not in s["name"]:
                    failures.append(f"{where}: slider name {s['name']!r} does not hold its label {s['label']!r}")
                if s["valuetext"] != s["readout"].strip():
                    failures.append(f"{where}: slider {s['label']!r} announces {s['valuetext']!r}, shows "
                                    f"{s['readout']!r}")
            for g in info["groups"]:
                seen += 1
                if not g["label"].strip() or g["label"].strip() not in g["name"] or g["role"] != "group":
                    failures.append(f"{where}: toggle group (role {g['role']!r}) named {g['name']!r}, "
                                    f"label {g['label']!r}")
                if g["pressed"] != g["active"]:
                    failures.append(f"{where}: aria-pressed {g['pressed']} but selected {g['active']}")
            if info["live"] is None or info["live"] != info["alt"]:
                failures.append(f"{where}: the live region says {info['live']!r}, the figure's alt is {info['alt']!r}")
    assert seen, "no responsive control found"
    assert not failures, "\n".join(failures)


# Tab from the top of the page until focus lands inside a widget: how many presses (None: never).
def _tabs_to_widget(page, limit=200):
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!(document.activeElement && document.activeElement.closest('.nnlite-widget'))"):
            return presses
    return None


def _skip_link_then_tab(page):
    """Tab to the skip link to the widgets, follow it, then Tab into the widget: presses in all (or None)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    for presses in range(1, MAX_TABS_TO_WIDGET + 1):
        page.keyboard.press("Tab")
        href = page.evaluate("() => document.activeElement && document.activeElement.getAttribute('href')")
        if href and href.startswith("#nnlite-widget"):
            page.keyboard.press("Enter")
            for more in range(1, MAX_TABS_TO_WIDGET + 1):
                page.keyboard.press("Tab")
                if page.evaluate("() => !!document.activeElement.closest('.nnlite-widget')"):
                    return presses + 1 + more
            return None
    return None


# Contrast of the focused element's outline against the page behind it (WCAG relative luminance).
FOCUS_CONTRAST_JS = """() => {
  const el = document.activeElement, cs = getComputedStyle(el);
  const rgb = s => (s.match(/[\\d.]+/g) || [0, 0, 0]).slice(0, 4).map(Number);
  const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92
                     : Math.pow((x + 0.055) / 1.055, 2.4); }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  let bg = null;
  for (let e = el.parentElement; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length < 4 || c[3] > 0) { bg = c; break; }
  }
  bg = bg || [255, 255, 255];
  const out = rgb(cs.outlineColor), width = parseFloat(cs.outlineWidth) || 0;
  const [a, b] = [lum(out), lum(bg)].sort((x, y) => y - x);
  return {style: cs.outlineStyle, width, contrast: (a + 0.05) / (b + 0.05)};
}"""


LIVE_TEXT_JS = "w => { const live = w.querySelector('[aria-live]'); return live ? live.textContent : null; }"


def keyboard_walk(page, rel):
    """From the top of a widget page: the skip link and a few Tab presses reach a widget; then every
    responsive control (one unpressed button per group), focused from the keyboard, shows its focus ring
    and is moved by a key. Returns {"presses": n or None, "failures": [...]}."""
    failures = []
    presses = _skip_link_then_tab(page)
    widgets = page.locator(".nnlite-widget")
    for w in range(widgets.count()):
        widget = widgets.nth(w)
        targets = widget.locator(".nnlite-responsive [role='slider'], .nnlite-responsive button")
        groups_done = set()
        for t in range(targets.count()):
            target = targets.nth(t)
            is_button = target.evaluate("e => e.tagName === 'BUTTON'")
            if is_button:
                group = target.evaluate("e => [...document.querySelectorAll('.nnlite-responsive')]"
                                        ".indexOf(e.closest('.nnlite-responsive'))")
                if group in groups_done or target.evaluate("e => e.getAttribute('aria-pressed') === 'true'"):
                    continue
                groups_done.add(group)
            live_before = widget.evaluate(LIVE_TEXT_JS)
            target.focus()
            page.keyboard.press("Tab")                           # a key event, so :focus-visible applies
            page.keyboard.press("Shift+Tab")
            ring = page.evaluate(FOCUS_CONTRAST_JS)
            label = f"{rel} widget {w} control {t}"
            if ring["style"] in ("none", "") or ring["width"] < 2 or ring["contrast"] < FOCUS_CONTRAST:
                failures.append(f"{label}: focus ring {ring}")
            if is_button:
                page.keyboard.press("Space")
                ok = target.evaluate("e => e.getAttribute('aria-pressed') === 'true'")
            else:
                before = target.get_attribute("aria-valuetext")
                at_end = target.get_attribute("aria-valuenow") == target.get_attribute("aria-valuemax")
                page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
                ok = target.get_attribute("aria-valuetext") != before
            page.wait_for_timeout(100)
            live_after = widget.evaluate(LIVE_TEXT_JS)
            if not ok:
                failures.append(f"{label}: the key press did not change what the control announces")
            if live_after is None:
                failures.append(f"{label}: the widget has no live region to announce the new figure")
            elif live_after == live_before:
                failures.append(f"{label}: the live region did not announce the new figure")
    return {"presses": presses, "failures": failures}


@browser_test
def test_keyboard_reaches_moves_and_sees_every_widget_control(visits, edition):
    """The skip link and at most MAX_TABS_TO_WIDGET presses reach a widget; every responsive control,
    moved by the keyboard, changes what it announces and the live region, with a focus ring of 2 px or
    more at 3:1 or better."""
    failures = []
    for rel, visit in _widget_visits(visits, edition).items():
        walk = visit["keyboard"]
        print(f"{edition[0]}: {rel}: {walk['presses']} presses to the first widget")
        if walk["presses"] is None:
            failures.append(f"{rel}: no skip link to the widgets, or no widget within {MAX_TABS_TO_WIDGET} "
                            "Tab presses after it")
        failures += walk["failures"]
    assert not failures, "\n".join(failures)


@browser_test
def test_no_page_scrolls_sideways_at_320_px(visits, edition):
    """WCAG 1.4.10 reflow: at 320 CSS px the page itself never scrolls sideways."""
    wide = [f"{rel}: {v['overflow']} px too wide" for rel, v in visits.items() if v["overflow"] > 0]
    assert not wide, f"{edition[0]} edition at 320 px:\n" + "\n".join(wide)


# ----------------------------------------------------------------------------------------------------
# Without a browser: the built-HTML mends, the figures' styles, the live notebook's labels
# ----------------------------------------------------------------------------------------------------

def _offline_assets():
    import importlib.util
    spec = importlib.util.spec_from_file_location("offline_assets", ROOT / "book" / "_ext" / "offline_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


THEME_PAGE = """<body>
  <div id="pst-skip-link" class="skip-link d-print-none"><a href="#main-content">Skip to main content</a></div>
<button class="btn search-button-field search-button__button pst-js-only" title="Search" aria-label="Search" data-bs-toggle="tooltip">
 <span class="search-button__default-text">Search</span></button>
<button class="btn btn-sm pst-navbar-icon search-button search-button__button pst-js-only" title="Search" aria-label="Search">
<button class="btn btn-sm nav-link pst-navbar-icon theme-switch-button pst-js-only" aria-label="Color mode">
  <i class="theme-switch fa-solid fa-sun                fa-lg" data-mode="light" title="Light"></i>
  <i class="theme-switch fa-solid fa-moon               fa-lg" data-mode="dark"  title="Dark"></i>
</button>
<details class="hide above-input"><summary aria-label="Toggle hidden content"><p>Show code cell source</p></summary>
<div role="list" class="citation-list"><div class="citation" id="id1" role="doc-biblioentry">A</div></div>
%s
</body>"""


@pytest.mark.parametrize("widgets", [False, True], ids=["page", "page-with-widgets"])
def test_built_html_is_mended(widgets):
    """The build-finished step names controls by what they show, gives citations list items, adds the
    skip link to the widgets only where there are widgets, and changes nothing the second time."""
    assets = _offline_assets()
    state = '<script type="application/vnd.jupyter.widget-state+json">{}</script>' if widgets else ""
    page = THEME_PAGE % state
    mended = assets.accessible_html(page)
    assert 'aria-label="Toggle hidden content"' not in mended
    assert 'search-button-field search-button__button pst-js-only" title="Search" data-bs-toggle' in mended
    assert 'search-button search-button__button pst-js-only" title="Search" aria-label="Search"' in mended  # icon only
    assert 'title="Light"' not in mended and mended.count('aria-hidden="true"') == 2
    assert 'role="doc-biblioentry"' not in mended and 'role="listitem"' in mended
    assert (assets.WIDGET_SKIP_LINK in mended) == widgets
    assert assets.accessible_html(mended) == mended


def test_series_are_told_apart_without_colour():
    """Every series of a figure differs from the others in line style and in marker, not in colour
    alone; the Okabe-Ito palette is kept."""
    from nnlite import plot
    from nnlite.plot import style
    styles = [style.series_style(k, 100) for k in range(8)]
    assert len({str(s["linestyle"]) for s in styles}) == 8
    assert len({s["marker"] for s in styles}) == 8
    assert [s["color"] for s in styles] == plot.PALETTE
    assert set(plot.PALETTE) <= set(plot.OKABE_ITO.values())
    fig = plot.loss_curves({"SGD": np.linspace(1, 0.1, 50), "Momentum": np.linspace(1, 0.05, 50),
                            "Adam": np.linspace(1, 0.01, 50)})
    lines = fig.axes[0].get_lines()
    assert len({(str(ln.get_linestyle()), ln.get_marker()) for ln in lines}) == 3
    fig = plot.optimizer_paths(lambda a, b: a ** 2 + b ** 2,
                               {"SGD": np.zeros((10, 2)), "Adam": np.ones((10, 2))})
    paths = [ln for ln in fig.axes[0].get_lines() if ln.get_label() in ("SGD", "Adam")]
    assert paths[0].get_marker() != paths[1].get_marker()
    assert paths[0].get_linestyle() != paths[1].get_linestyle()


def test_side_by_side_panels_fit_the_text_column():
    """Two panels side by side are drawn at the book's column width, so their tick labels are shown at
    their own size (they were scaled to 7 px); a single panel keeps its size."""
    from nnlite import plot
    from nnlite.plot import style
    fig, _ = plot.subplots(1, 2, figsize=(10, 3.6))
    assert fig.get_size_inches()[0] == pytest.approx(style.PAGE_WIDTH)
    fig, _ = plot.subplots(1, 1, figsize=(10, 3.6))
    assert fig.get_size_inches()[0] == pytest.approx(10)
    fig = plot.normalisation_statistics({"a": np.ones((4, 3)), "b": np.zeros((4, 3)), "c": np.ones((4, 3))})
    assert fig.get_size_inches()[0] <= style.PAGE_WIDTH
    tick_px = fig.axes[0].xaxis.get_ticklabels()[0].get_fontsize() * 100 / 72 * min(
        1.0, 672 / (fig.get_size_inches()[0] * 100))
    assert tick_px >= 12


def test_direct_labels_sit_at_the_line_ends_apart():
    from nnlite import plot
    from nnlite.plot import style
    fig = plot.compare_curves(np.arange(10), {"a": np.ones(10), "b": np.ones(10) * 1.001, "c": np.zeros(10)})
    ax = fig.axes[0]
    texts = style.label_line_ends(ax)
    assert sorted(t.get_text() for t in texts) == ["a", "b", "c"]
    heights = sorted(t.xy[1] for t in texts)
    assert min(np.diff(heights)) >= 0.07 - 1e-9                 # the two near-equal ends do not overlap
    assert {t.get_color() for t in texts} == {ln.get_color() for ln in ax.get_lines()}


def test_live_controls_carry_plain_labels_and_their_value_as_tooltip():
    """In a notebook with a kernel: labels are plain text, and each control's tooltip says its label
    and its current value (the button groups say it per button)."""
    from nnlite import widgets
    widget = widgets.bias_shift()
    weight = widget.responsive["weight"]
    assert weight.description_allow_html is False
    assert weight.tooltip == f"weight w: {weight.label}"
    weight.value = 2.0
    assert weight.tooltip == "weight w: 2"
    buttons = widget.responsive["activation"]
    assert buttons.tooltips == ("activation: Sigmoid", "activation: Tanh", "activation: ReLU")
    playground_like = widgets._dropdown("data set", ["moons", "circles"], "moons")
    playground_like.value = "circles"
    assert playground_like.tooltip == "data set: circles"
