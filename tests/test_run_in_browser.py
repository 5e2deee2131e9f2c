"""Every chapter page of both editions links, right under its title, to its own student notebook in the
browser edition (book/_ext/run_in_browser.py); no other page does.

The browser edition (``make lite``) is not part of a book build, so the links are checked against where it
goes: ``lite/notebooks/index.html`` at the site's root, with ``path=`` the chapter's notebook.
"""

import importlib.util
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINK_TEXT = "Run in your browser"
LITE_PAGE = "lite/notebooks/index.html"
pytestmark = pytest.mark.book


def chapter_docs():
    docs = re.findall(r"file:\s*(chapters/\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
    assert docs, "no chapters in _toc.yml"
    return docs


@pytest.fixture(scope="module", params=["full", "student"])
def site(request):
    """The built HTML folder of one edition."""
    return request.getfixturevalue({"full": "built_book", "student": "student_edition"}[request.param])


class _Links(HTMLParser):
    """The hrefs of the <a> elements whose text is LINK_TEXT, and where each starts in the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._open = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = [dict(attrs).get("href"), "", self.getpos()]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            href, text, pos = self._open
            if text.strip() == LINK_TEXT:
                self.found.append((href, pos))
            self._open = None


def run_links(html):
    parser = _Links()
    parser.feed(html)
    return parser.found


def resolve(page, href):
    """(path from the site's root, query) that ``href`` on ``page`` (a path from the root) points to."""
    parts = urlsplit(href)
    assert not parts.scheme and not parts.netloc, f"{page}: {href!r} leaves the site (nnlite_lite_url is relative)"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
    return target, parse_qs(parts.query)


def _module():
    spec = importlib.util.spec_from_file_location("run_in_browser", ROOT / "book" / "_ext" / "run_in_browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("doc", chapter_docs())
def test_chapter_page_links_to_its_own_notebook_in_the_browser_edition(site, doc):
    page = f"{doc}.html"
    links = run_links((site / page).read_text(encoding="utf-8"))
    assert len(links) == 1, f"{page}: {len(links)} '{LINK_TEXT}' links, expected exactly one"
    target, query = resolve(page, links[0][0])
    assert target == LITE_PAGE, f"{page}: the link points to {target}, not {LITE_PAGE} at the site's root"
    assert query.get("path") == [f"{Path(doc).name}.ipynb"], f"{page}: path={query.get('path')} is not its own notebook"
    assert (ROOT / "chapters" / query["path"][0]).exists(), f"{page}: chapters/{query['path'][0]} does not exist"


@pytest.mark.parametrize("doc", chapter_docs())
def test_link_sits_right_under_the_title(site, doc):
    html = (site / f"{doc}.html").read_text(encoding="utf-8")
    article = html[html.index("<article"):]
    title_end = article.index("</h1>") + len("</h1>")
    box = re.match(r'\s*<p class="nnlite-run-in-browser">\s*<a [^>]*>' + LINK_TEXT + "</a>", article[title_end:])
    assert box, f"{doc}: the link is not the first thing after the title: {article[title_end:title_end + 200]!r}"


def test_no_other_page_has_the_link(site):
    pages = [p.relative_to(site).as_posix() for p in site.rglob("*.html")]
    others = [p for p in pages if not p.startswith(("chapters/", "_static/", "_sources/", "lite/"))]
    assert {"index.html", "book/intro.html", "book/api.html", "book/glossary.html"} <= set(others), \
        f"the site lacks pages it should have: {sorted(others)}"
    linked = [p for p in others if run_links((site / p).read_text(encoding="utf-8"))]
    assert not linked, f"pages that are not chapters carry '{LINK_TEXT}': {linked}"


def test_the_links_stylesheet_is_served(site):
    html = (site / f"{chapter_docs()[0]}.html").read_text(encoding="utf-8")
    assert "run-in-browser.css" in html, "chapter pages do not load run-in-browser.css"
    assert (site / "_static" / "run-in-browser.css").exists(), "_static/run-in-browser.css is missing"


def test_notebook_url_relative_and_absolute():
    module = _module()
    doc = "chapters/04_forward_pass_and_loss"
    assert module.notebook_url(doc, "lite", "../") == \
        "../lite/notebooks/index.html?path=04_forward_pass_and_loss.ipynb"
    # an absolute URL is used as it is, whatever the page's depth; a trailing slash does not double
    for base in ("https://example.org/course/lite", "https://example.org/course/lite/"):
        assert module.notebook_url(doc, base, "../") == \
            "https://example.org/course/lite/notebooks/index.html?path=04_forward_pass_and_loss.ipynb"
    assert module.notebook_url(doc, "http://127.0.0.1:8000/lite", "") == \
        "http://127.0.0.1:8000/lite/notebooks/index.html?path=04_forward_pass_and_loss.ipynb"


@pytest.mark.parametrize("bad", ["", "  ", "ftp://example.org/lite", "//example.org/lite", None])
def test_notebook_url_refuses_what_it_cannot_use(bad):
    with pytest.raises(ValueError, match="nnlite_lite_url"):
        _module().notebook_url("chapters/01_neurons_and_layers", bad, "../")
