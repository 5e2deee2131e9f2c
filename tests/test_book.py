"""The book builds with Sphinx warnings as errors, and every page renders what it promises."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.book


def toc_files():
    return re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text()) + ["book/intro"]


def test_every_toc_entry_has_a_page(built_book):
    missing = [f for f in toc_files() if not (built_book / f"{f}.html").exists()]
    assert not missing, f"no HTML page for {missing}"


@pytest.mark.parametrize("page", toc_files())
def test_page_has_no_raw_markup(built_book, page):
    html = (built_book / f"{page}.html").read_text(encoding="utf-8")
    body = html.split('<article', 1)[-1]
    # Markup shown on purpose, as code (the instructor guide explains the directives), is not raw.
    body = re.sub(r"<pre.*?</pre>|<code.*?</code>", "", body, flags=re.S)
    for raw in ("```{", "{term}`", "{glue:", "{eval}`", "{cite}`", "{exercise}", "{exercise-start}", "{solution}", ":::{"):
        assert raw not in body, f"{page}: unrendered markup {raw!r} in the page"
    assert "Traceback (most recent call last)" not in body, f"{page}: a traceback is shown"


@pytest.mark.parametrize("page", toc_files())
def test_page_loads_nothing_from_other_hosts(built_book, page):
    html = (built_book / f"{page}.html").read_text(encoding="utf-8")
    external = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', html)
    assert not external, f"{page} loads from other hosts: {external}"


def test_chapter_pages_show_executed_output(built_book):
    chapters = [f for f in toc_files() if f.startswith("chapters/")]
    assert chapters, "no chapters in the toc"
    for page in chapters:
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        assert "cell_output" in html, f"{page}: no executed output in the built page"
