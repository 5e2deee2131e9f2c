"""Serve every script the book needs from the book itself, and load each once.

- Adds ``book/vendor`` (MathJax 3, RequireJS, the widget manager; see ``book/vendor/refresh.sh``) and
  this folder's ``static`` to ``html_static_path`` here rather than in ``_config.yml``: Jupyter Book v1
  adds every ``.js`` under the static paths named in its configuration to every page once the book has a
  root ``_static`` folder, and MathJax loaded twice fails.
- Puts ``favicon.ico`` at the site root (``html_extra_path``): the redirecting ``index.html`` that
  Jupyter Book writes has no icon link, so browsers ask the server for ``/favicon.ico``.
- Drops duplicate entries from each page's ``script_files`` (sphinx-thebe adds its configuration
  script twice, which declares ``THEBE_JS_URL`` twice: a console error on every page).
- Once the build has finished, mends the built HTML where the theme, myst-nb or docutils write markup
  that fails WCAG 2.1 AA (``ACCESSIBILITY_FIXES``; reported upstream, see ``tools/upstream/``), and
  puts a skip link to the first interactive figure at the top of every page with widgets.

``_config.yml`` points ``mathjax_path`` and myst-nb's ``nb_ipywidgets_js`` at the vendored files; the
latter loads ``static/widgets-offline.js`` right after require.js: it points the widget manager's fonts
at the vendored copy, maps the MathJax 2 call the manager makes onto MathJax 3, and shows the widget
controls that need a kernel disabled, with the reason beside them (the page has no kernel).
"""

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC_PATHS = [HERE.parent / "vendor", HERE / "static"]
EXTRA_PATH = HERE / "extra"        # copied to the site root: favicon.ico, which browsers ask for there


def add_static_paths(app, config):
    for path in STATIC_PATHS:
        if str(path) not in config.html_static_path:
            config.html_static_path.append(str(path))
    if str(EXTRA_PATH) not in config.html_extra_path:
        config.html_extra_path.append(str(EXTRA_PATH))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """Keep the first of script entries with the same file and attributes (inline body included)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        key = (js.filename or "", tuple(sorted(js.attributes.items())))      # None and "" both mean inline
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


# (what, pattern, replacement) applied to every built page. Each one mends markup the project does not
# write itself; tools/upstream/ holds the report for the project that does.
ACCESSIBILITY_FIXES = [
    # myst-nb: the toggle of a hide-input cell is named "Toggle hidden content" but shows "Show code cell
    # source" (WCAG 2.5.3 label in name). Without the aria-label its name is the text it shows.
    ("myst-nb hide-input toggle", re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    # pydata-sphinx-theme: the search button shows "Search Ctrl+K" but is named "Search" (2.5.3); its
    # name becomes what it shows, the title stays as its tooltip.
    ("theme search button", re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"'),
     r"\1"),
    # pydata-sphinx-theme: the colour-mode button is named "Color mode", but its icons carry the titles
    # "Light", "Dark", "System Settings", which Font Awesome turns into the button's text (2.5.3). The
    # icons become decorative; the button keeps its name and tooltip.
    ("theme colour-mode icons", re.compile(r'(<i class="theme-switch [^"]*" data-mode="\w+") +title="[^"]*"'),
     r'\1 aria-hidden="true"'),
    # docutils: citations in a role="list" carry the deprecated DPUB role doc-biblioentry, so the list has
    # no list items (a critical axe finding) and each entry a deprecated role.
    ("docutils citation entries", re.compile(r'role="doc-biblioentry"'), 'role="listitem"'),
]
WIDGET_STATE = 'type="application/vnd.jupyter.widget-state+json"'
THEME_SKIP_LINK = '<div id="pst-skip-link" class="skip-link d-print-none"><a href="#main-content">Skip to main content</a></div>'
# book/_ext/static/widgets-offline.js gives the first widget of a page this id once it is drawn.
WIDGET_SKIP_LINK = ('<div class="skip-link d-print-none nnlite-skip-link"><a href="#nnlite-widget-1">'
                    'Skip to the first interactive figure</a></div>')


def accessible_html(html):
    """The page with ACCESSIBILITY_FIXES applied and, on a page with widgets, the skip link to them.
    Applying it twice changes nothing more."""
    for _, pattern, replacement in ACCESSIBILITY_FIXES:
        html = pattern.sub(replacement, html)
    if WIDGET_STATE in html and WIDGET_SKIP_LINK not in html and THEME_SKIP_LINK in html:
        html = html.replace(THEME_SKIP_LINK, THEME_SKIP_LINK + "\n  " + WIDGET_SKIP_LINK, 1)
    return html


def refresh_own_static(outdir):
    """Copy this folder's ``static`` files over stale copies in ``_static``. Sphinx copies static files only
    when some page is rebuilt: after an edit of widgets-offline.js or a CSS file alone, a build that finds
    "no targets out of date" would leave the old file in place."""
    import shutil
    target = Path(outdir) / "_static"
    for path in (HERE / "static").iterdir():
        dest = target / path.name
        if path.is_file() and target.is_dir() and (not dest.exists() or dest.read_bytes() != path.read_bytes()):
            shutil.copyfile(path, dest)


def mend_built_html(app, exception):
    """build-finished: rewrite every built HTML page with ``accessible_html`` (only pages that change),
    and bring this extension's static files up to date."""
    if exception is not None or app.builder.format != "html":
        return
    refresh_own_static(app.outdir)
    for path in Path(app.outdir).rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        mended = accessible_html(html)
        if mended != html:
            path.write_text(mended, encoding="utf-8")


def setup(app):
    app.connect("config-inited", add_static_paths)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("build-finished", mend_built_html)
    app.add_css_file("accessibility.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
