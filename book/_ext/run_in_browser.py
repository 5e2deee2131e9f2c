"""A "Run in your browser" link under the title of every chapter page, to the chapter's student notebook
in the browser edition (``make lite``: JupyterLite and Pyodide, in ``lite/`` beside the book's pages).

The link is written into the page's HTML at ``html-page-context``, not into the doctree. It is navigation,
like the theme's buttons, not part of the chapter: kept out of the doctree it stays out of Sphinx's
environment, so changing ``nnlite_lite_url`` rewrites the pages without reading (and executing) the
chapters again, and nothing else that reads the doctrees (search index, other builders) sees it. A plain
``<a href>``, no script. A book built without ``make lite`` has no ``lite/`` folder: there the link leads
to a missing page, and nothing else changes.

``nnlite_lite_url`` is where the browser edition lives: a path relative to the site's root (default
``lite``, where ``make lite`` puts it), or an absolute ``http(s)://`` URL, used as it is, for a browser
edition hosted elsewhere.
"""

import html
import posixpath
import re
from urllib.parse import quote

from sphinx.util.osutil import relative_uri

CHAPTERS = "chapters/"
_ABSOLUTE = re.compile(r"^https?://", re.IGNORECASE)
_TITLE_END = re.compile(r"</h1>", re.IGNORECASE)
NOTE = "Runs this chapter's student notebook in your browser with Pyodide; nothing to install; " \
       "the first start downloads about 42 MB."


def notebook_url(docname, lite_url="lite", root=""):
    """The browser edition's Notebook page that opens chapter ``docname``'s student notebook.

    ``lite_url`` is an absolute http(s) URL, used as it is, or a path relative to the site's root;
    ``root`` is the way from the page to the site's root (``../`` from a chapter page).
    """
    if not isinstance(lite_url, str) or not lite_url.strip():
        raise ValueError(f"nnlite_lite_url must name the browser edition's folder (e.g. 'lite') or an "
                         f"http(s) URL; got {lite_url!r}.")
    lite_url = lite_url.strip()
    if _ABSOLUTE.match(lite_url):
        base = lite_url.rstrip("/")
    elif "://" in lite_url or lite_url.startswith("//"):
        raise ValueError(f"nnlite_lite_url {lite_url!r}: use an http(s) URL or a path relative to the site's root.")
    else:
        base = posixpath.join(root, lite_url.strip("/")) if root else lite_url.strip("/")
    stem = posixpath.basename(docname)
    return f"{base}/notebooks/index.html?path={quote(stem)}.ipynb"


def link_html(url):
    """The box under the title: the link and one line on what it does."""
    return ('<p class="nnlite-run-in-browser">'
            f'<a class="nnlite-run-in-browser-link" href="{html.escape(url)}">Run in your browser</a> '
            f'<span class="nnlite-run-in-browser-note">{NOTE}</span></p>\n')


def add_link(app, pagename, templatename, context, doctree):
    if not pagename.startswith(CHAPTERS) or "body" not in context:
        return
    root = relative_uri(app.builder.get_target_uri(pagename), "")
    url = notebook_url(pagename, app.config.nnlite_lite_url, root)
    body = context["body"]
    title = _TITLE_END.search(body)
    at = title.end() if title else 0
    context["body"] = body[:at] + "\n" + link_html(url) + body[at:]


def setup(app):
    app.add_config_value("nnlite_lite_url", "lite", "html", types=[str])
    app.connect("html-page-context", add_link)
    app.add_css_file("run-in-browser.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
