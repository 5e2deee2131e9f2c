"""Serve every script the book needs from the book itself, and load each once.

- Adds ``book/vendor`` (MathJax 3, RequireJS, the widget manager; see ``book/vendor/refresh.sh``) and
  this folder's ``static`` to ``html_static_path`` here rather than in ``_config.yml``: Jupyter Book v1
  adds every ``.js`` under the static paths named in its configuration to every page once the book has a
  root ``_static`` folder, and MathJax loaded twice fails.
- Puts ``favicon.ico`` at the site root (``html_extra_path``): the redirecting ``index.html`` that
  Jupyter Book writes has no icon link, so browsers ask the server for ``/favicon.ico``.
- Drops duplicate entries from each page's ``script_files`` (sphinx-thebe adds its configuration
  script twice, which declares ``THEBE_JS_URL`` twice: a console error on every page).

``_config.yml`` points ``mathjax_path`` and myst-nb's ``nb_ipywidgets_js`` at the vendored files; the
latter loads ``static/widgets-offline.js`` right after require.js: it points the widget manager's fonts
at the vendored copy, maps the MathJax 2 call the manager makes onto MathJax 3, and shows the widget
controls that need a kernel disabled, with the reason beside them (the page has no kernel).
"""

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


def setup(app):
    app.connect("config-inited", add_static_paths)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
