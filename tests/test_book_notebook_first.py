"""The built book matches the notebooks: figures are cell outputs, exercises share one numbering, and
code solutions wait behind a toggle.

Static checks on the built HTML, and one browser test (Chromium) that a solution is hidden on load and
shown after the toggle. The book is built once per test session (``built_book``).
"""

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from code_solutions import split_solution  # noqa: E402

from tools import editions  # noqa: E402
from tests.test_browser import html_dir, server  # noqa: E402,F401  (the built book, served)

CHAPTERS = editions.chapter_notebooks(ROOT)
BEGIN = "### BEGIN SOLUTION"


def page_html(book, chapter):
    return (book / "chapters" / f"{chapter.stem}.html").read_text(encoding="utf-8")


def solution_lines(nb):
    """The non-blank lines of every code solution of a chapter, stripped."""
    code, _ = editions.solutions(nb)
    return [line.strip() for block in code for line in block if line.strip() and not line.strip().startswith("#")]


def visible_part(html):
    """The page without the closed solution toggles."""
    return re.sub(r'<details class="nnlite-solution-toggle">.*?</details>', "", html, flags=re.S)


def plain(html):
    text = re.sub(r"<[^>]+>", "", html)
    for entity, char in (("&quot;", '"'), ("&#39;", "'"), ("’", "'"), ("“", '"'), ("”", '"'), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


# ----------------------------------------------------------------------------------------------
# The toggle's own logic


def test_split_solution_gives_the_stub_and_the_solution():
    source = "def relu(x):\n    ### BEGIN SOLUTION\n    return np.maximum(0, x)\n    ### END SOLUTION\n"
    stub, solution = split_solution(source)
    assert stub == "def relu(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    assert solution == "def relu(x):\n    return np.maximum(0, x)\n"
    assert stub == editions.strip_code_solution(source), "the book's stub is the student notebook's"


def test_split_solution_leaves_unpaired_markers_alone():
    source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n"
    assert split_solution(source) == (source, None)


# ----------------------------------------------------------------------------------------------
# The built book


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_code_solutions_are_only_inside_the_toggle(built_book, chapter):
    nb = nbformat.read(chapter, as_version=4)
    lines = solution_lines(nb)
    html = page_html(built_book, chapter)
    toggles = re.findall(r'<details class="nnlite-solution-toggle">(.*?)</details>', html, flags=re.S)
    code_cells = [c for c in nb.cells if c.cell_type == "code" and BEGIN in c.source]
    assert len(toggles) == len(code_cells), f"{chapter.name}: {len(code_cells)} solution cells, {len(toggles)} toggles"
    shown, hidden = plain(visible_part(html)), plain(" ".join(toggles))
    leaked = [line for line in lines if line in shown]
    assert not leaked, f"{chapter.name}: solution lines visible on load: {leaked}"
    missing = [line for line in lines if line not in hidden]
    assert not missing, f"{chapter.name}: solution lines missing from the toggle: {missing}"
    assert BEGIN not in html and "END SOLUTION" not in html
    if code_cells:
        assert shown.count("raise NotImplementedError()") >= len(code_cells), "the stub a student writes into"


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_figure_is_a_captioned_cell_output(built_book, chapter):
    nb = nbformat.read(chapter, as_version=4)
    figures = [c.metadata["mystnb"] for c in nb.cells
               if c.cell_type == "code" and "figure" in c.metadata.get("mystnb", {})]
    html = page_html(built_book, chapter)
    for figure in figures:
        name, alt = figure["figure"]["name"], figure["image"]["alt"]
        block = re.search(r'<figure[^>]*id="' + re.escape(name) + r'"[^>]*>(.*?)</figure>', html, re.S)
        assert block, f"{chapter.name}: no figure {name!r} in the page"
        assert "<img" in block.group(1) and 'alt="' in block.group(1), f"{name}: the figure has no image"
        assert plain(block.group(1)).count("Fig. ") == 1, f"{name}: the figure is not numbered once"
        assert alt.split()[0] in block.group(1), f"{name}: the alt text is not the cell's"
    assert html.count("<figure") == len(figures), f"{chapter.name}: figures in the page that the notebook does not caption"
    assert not any("glue" in c.source for c in nb.cells), f"{chapter.name}: glue is left in the notebook"


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_are_numbered_as_the_guide_lists_them(built_book, chapter):
    nb = nbformat.read(chapter, as_version=4)
    number = int(chapter.name[:2])
    exercises = editions.chapter_exercises(nb, number)
    assert len(exercises) >= 3
    html = " ".join(plain(page_html(built_book, chapter)).split())
    for exercise in exercises:
        assert exercise["difficulty"] in (1, 2, 3), f"{exercise['number']}: no difficulty in its title"
        heading = f"Exercise {exercise['number']} ({exercise['title']} · {editions.STARS[exercise['difficulty']]})"
        assert heading in html, f"{chapter.name}: the book does not print {heading!r}"
    guide = (ROOT / editions.GUIDE).read_text(encoding="utf-8")
    for exercise in exercises:
        assert f"| {exercise['number']} | {exercise['title'].replace('|', chr(92) + '|')} |" in guide


# ----------------------------------------------------------------------------------------------
# In the browser


@pytest.mark.browser
def test_solution_hidden_on_load_and_shown_by_the_toggle(browser, server):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(server + "chapters/01_neurons_and_layers.html", wait_until="load")
    solution = "return float(np.dot(w, x) + b)"
    stub = page.locator("div.cell_input pre", has_text="def weighted_sum").first
    assert "raise NotImplementedError()" in stub.inner_text()
    hidden = page.locator("details.nnlite-solution-toggle pre", has_text=solution)
    assert hidden.count() == 1
    assert not hidden.is_visible(), "the solution is visible before the reader asks for it"
    visible_text = page.evaluate("() => document.querySelector('article').innerText")
    assert solution not in visible_text
    summary = page.locator("details.nnlite-solution-toggle summary").first
    assert summary.inner_text().strip() == "Show solution"
    summary.focus()
    page.keyboard.press("Enter")                          # keyboard users open it too
    assert hidden.is_visible()
    assert solution in page.evaluate("() => document.querySelector('article').innerText")
    page.close()


@pytest.mark.book
def test_code_blocks_in_prose_keep_their_markers(built_book):
    """The instructor guide shows how a solution is marked: a code block in prose is not a cell to hide."""
    html = (built_book / "book" / "instructor_guide.html").read_text(encoding="utf-8")
    assert "nnlite-solution-toggle" not in html
    assert BEGIN in plain(html)
