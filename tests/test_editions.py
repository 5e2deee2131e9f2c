"""Student notebooks and the student edition: solutions out, everything else in, and it all still runs."""

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools import editions

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = editions.chapter_notebooks(ROOT)
CHAPTER_IDS = [p.stem for p in CHAPTERS]


# ----------------------------------------------------------------------------------------------
# A small notebook with every kind of solution, so the transforms are tested before chapters land

EXERCISE = '''def relu(x):
    ### BEGIN SOLUTION
    secret_relu_line = np.maximum(0, x)
    return secret_relu_line
    ### END SOLUTION

relu = check.relu(relu)'''

METHOD = '''class Layer:
    def forward(self, X):
        Y = X * 2
        if True:
            ### BEGIN SOLUTION
            secret_method_line = Y + 1
            ### END SOLUTION
        return Y'''

PROSE = """Some text before.

````{exercise} Counting
:label: ex-count

How many parameters?
````

````{solution} ex-count
:class: dropdown

The secret prose answer is one hundred and one parameters in all.

```python
secret_code_in_prose = 101
```
````

Text after the solution stays."""

COLON = """:::{solution} ex-count
The secret colon fenced answer never reaches students.
:::
Kept after the colon fence."""

GATE_START = """```{exercise} Gated
:label: ex-gated

Write the loop.
```

Before the gate, kept.

```{solution-start} ex-gated
:class: dropdown
```

The secret gated explanation of the loop."""

GATE_CODE = "secret_gated_code = sum(range(10))"
GATE_END = """The secret gated closing words.

```{solution-end}
```

After the gate, kept."""


LOOPS = '''def softmax(z):
    print("debugging", z)
    while True:           # a student's loop that never ends: the checker's time limit stops it
        pass

softmax = check.softmax(softmax)
assert softmax(np.zeros((1, 2)))[0, 0] == 0.5'''


def synthetic_notebook():
    setup = new_code_cell("import numpy as np\nfrom nnlite import check", execution_count=1)
    setup.outputs = [new_output("stream", name="stdout", text="hello\n")]
    exercise = new_code_cell(EXERCISE, execution_count=2)
    exercise.outputs = [new_output("stream", name="stdout", text="✅ relu: passed 5 checks.\n")]
    tagged = new_code_cell("assert relu(np.array([-1.0]))[0] == 0", metadata={"tags": ["remove-cell"]})
    return new_notebook(cells=[
        new_markdown_cell("# 1. A chapter"), setup, exercise, new_code_cell(METHOD), tagged,
        new_markdown_cell(PROSE), new_markdown_cell(COLON), new_markdown_cell(GATE_START),
        new_code_cell(GATE_CODE, execution_count=9), new_markdown_cell(GATE_END),
        new_code_cell("print(relu(np.array([-2.0, 3.0])))"),
        new_code_cell(LOOPS),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def all_text(nb):
    return "\n".join(cell.source for cell in nb.cells)


def test_code_solution_becomes_a_stub_at_its_indentation():
    out = editions.strip_code_solution(EXERCISE)
    assert out.splitlines()[:3] == ["def relu(x):", "    # YOUR CODE HERE", "    raise NotImplementedError()"]
    assert out.endswith("relu = check.relu(relu)")
    method = editions.strip_code_solution(METHOD)
    assert "            # YOUR CODE HERE\n            raise NotImplementedError()\n        return Y" in method
    assert "secret" not in out + method and "SOLUTION" not in out + method


def test_two_solution_blocks_in_one_cell():
    source = EXERCISE + "\n\n" + EXERCISE.replace("relu", "relu2")
    out = editions.strip_code_solution(source)
    assert out.count("raise NotImplementedError()") == 2 and "secret" not in out


@pytest.mark.parametrize("source, problem", [
    ("    ### BEGIN SOLUTION\n    x = 1", "never closed"),
    ("x = 1\n    ### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_unpaired_markers_are_reported(source, problem):
    with pytest.raises(editions.SolutionMarkerError, match=problem):
        editions.strip_code_solution(source, "test.ipynb, cell 3")


@pytest.mark.parametrize("markdown", [True, False], ids=["notebooks", "book"])
def test_student_notebook_drops_every_solution_and_keeps_the_rest(markdown):
    """Plain Markdown for the student notebooks (exercises become numbered headings, assert-only cells
    that only keep the book honest go); the student edition of the book keeps its MyST and every cell."""
    full = synthetic_notebook()
    student = editions.student_notebook(full, "01_synthetic.ipynb", markdown=markdown)
    text = all_text(student)
    assert "secret" not in text.lower()
    assert "{solution" not in text and "BEGIN SOLUTION" not in text
    exercises = ["### Exercise 1.1 · Counting", "### Exercise 1.2 · Gated"] if markdown else \
        ["{exercise} Counting", "{exercise} Gated"]
    for kept in ["# 1. A chapter", "How many parameters?", "Some text before.",
                 "Text after the solution stays.", "Kept after the colon fence.", "Before the gate, kept.",
                 "After the gate, kept.", "relu = check.relu(relu)", "print(relu("] + exercises:
        assert kept in text, kept
    tagged = [cell for cell in student.cells if "remove-cell" in cell.metadata.get("tags", [])]
    assert len(tagged) == (0 if markdown else 1)
    assert "secret" in all_text(full)                                 # the original is untouched


def test_student_notebook_has_no_outputs_or_execution_counts():
    full = synthetic_notebook()
    full.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    student = editions.student_notebook(full)
    assert "widgets" not in student.metadata and "kernelspec" in student.metadata
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    nbformat.validate(student)


def test_solutions_lists_what_the_student_version_removes():
    code, prose = editions.solutions(synthetic_notebook())
    assert any("secret_relu_line = np.maximum(0, x)" in line for block in code for line in block)
    assert any("secret_method_line" in line for block in code for line in block)
    assert any("secret prose answer" in p for p in prose)
    assert any("secret colon fenced" in p for p in prose)
    assert any("secret gated explanation" in p for p in prose)
    assert any(GATE_CODE in p for p in prose)
    assert any("secret gated closing words" in p for p in prose)


def test_unclosed_gate_is_reported():
    nb = new_notebook(cells=[new_markdown_cell("```{solution-start} ex-a\n```\n"), new_code_cell("x = 1")])
    with pytest.raises(editions.SolutionMarkerError, match="solution-end"):
        editions.student_notebook(nb, "gate.ipynb")


def test_student_command_writes_one_notebook_per_chapter(tmp_path):
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    for name in ["01_first", "02_second"]:
        nbformat.write(synthetic_notebook(), chapters / f"{name}.ipynb")
    (chapters / "notes.ipynb").write_text("{}")                         # not a chapter: ignored
    written = editions.write_student_notebooks(tmp_path / "student", root=tmp_path)
    assert [p.name for p in written] == ["01_first.ipynb", "02_second.ipynb"]
    assert "secret" not in (tmp_path / "student" / "01_first.ipynb").read_text()


def test_student_command_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "tools.editions", "student", "--out", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == sorted(p.name for p in CHAPTERS)


def test_student_edition_is_staged_with_hide_solutions(tmp_path):
    source = editions.stage_student_edition(ROOT, tmp_path / "source")
    config = yaml.safe_load((source / "_config.yml").read_text())
    assert config["sphinx"]["config"]["hide_solutions"] is True
    assert (source / "_toc.yml").read_text() == (ROOT / "_toc.yml").read_text()
    for chapter in CHAPTERS:
        staged = nbformat.read(source / "chapters" / chapter.name, as_version=4)
        assert "### BEGIN SOLUTION" not in all_text(staged)


def test_instructor_guide_is_up_to_date():
    text = (ROOT / editions.GUIDE).read_text(encoding="utf-8")
    assert editions.instructor_tables(ROOT) in text, "refresh it: python -m tools.editions guide"


def test_instructor_guide_names_a_real_checker_for_every_code_exercise():
    from nnlite import check

    code = [exercise for path in CHAPTERS for exercise in editions.chapter_overview(path)["exercises"]
            if exercise["kind"] == "code"]
    assert len(code) >= 27
    for exercise in code:
        assert exercise["checker"] in check.__all__, exercise
        assert exercise["points"] in (1, 2, 3) and exercise["difficulty"] in (1, 2, 3), exercise


def test_instructor_tables_from_a_synthetic_chapter(tmp_path):
    nb = new_notebook(cells=[
        new_markdown_cell("# A chapter\n\n```{admonition} Before you start\n**Learning objectives.**\n\n"
                          "- compute things;\n- name things.\n\n**Estimated time:** 30 minutes.\n\n"
                          "**Prerequisites:** {doc}`00_intro`.\n```"),
        new_markdown_cell("```{exercise-start} ReLU · ★☆☆\n:label: ex-relu\n```\n\nWrite relu."),
        new_code_cell(EXERCISE.split("\n\nrelu = ")[0], metadata={"nbgrader": {"grade_id": "relu-solution",
                                                                              "solution": True}}),
        new_code_cell("relu = check.relu(relu)", metadata={"nbgrader": {"grade_id": "relu-check", "grade": True,
                                                                        "points": 2}}),
        new_markdown_cell("```{exercise-end}\n```"),
        new_markdown_cell("````{exercise} Counting · ★★★\n:label: ex-count\n\nCount them.\n````"),
    ])
    (tmp_path / "chapters").mkdir()
    nbformat.write(nb, tmp_path / "chapters" / "01_a_chapter.ipynb")
    tables = editions.instructor_tables(tmp_path)
    assert "### 1. A chapter" in tables and "**Time:** 30 minutes" in tables
    assert "{doc}`/chapters/00_intro`" in tables
    assert "- compute things;" in tables and "- name things." in tables
    assert "| 1.1 | ReLU | code | ★☆☆ | 2 | `check.relu` |" in tables
    assert "| 1.2 | Counting | written | ★★★ | — | — (discussion) |" in tables
    assert "A 10-week course" in tables


# ----------------------------------------------------------------------------------------------
# Every chapter: no solution text in its student version, and the student version runs


def _plain(text):
    """Lower-case words only, single spaces: how a phrase reads in source and in rendered HTML alike."""
    return " ".join(re.sub(r"[^a-z]+", " ", text.lower()).split())


def _phrases(prose, length=6):
    """Runs of ``length`` consecutive words of a prose solution, never across maths, code or markup."""
    text = re.sub(r"\$\$.*?\$\$", "|", prose, flags=re.S)
    text = re.sub(r"\$[^$]*\$|`[^`]*`|\{[\w-]+\}|^:\w+:.*$|^[`:]{3,}.*$", "|", text, flags=re.M)
    phrases = set()
    for piece in re.split(r"[|\n]{1,}\s*[|\n]+|\|", text):
        words = _plain(piece).split()
        phrases.update(" ".join(words[i:i + length]) for i in range(len(words) - length + 1))
    return phrases


def leaked(full, student_text, name="a notebook"):
    """Solution lines and phrases of ``full`` found in ``student_text`` but nowhere else in the chapter."""
    code, prose = editions.solutions(full)
    student_nb = editions.student_notebook(full, name)
    legitimate = all_text(student_nb)
    legitimate_plain = _plain(legitimate)
    flat = " ".join(student_text.split())
    found = []
    for block in code:
        for line in block:
            line = " ".join(line.split())
            if len(line) >= 12 and not line.startswith("#") and line not in " ".join(legitimate.split()) \
                    and line in flat:
                found.append(line)
    student_plain = _plain(student_text)
    for text in prose:
        found += [p for p in _phrases(text) if p not in legitimate_plain and p in student_plain]
    return found


def test_leak_detector_finds_solutions_in_the_full_text():
    full = synthetic_notebook()
    assert leaked(full, all_text(full))
    assert leaked(full, all_text(editions.student_notebook(full))) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_no_solution_text_in_the_student_notebook(chapter):
    full = nbformat.read(chapter, as_version=4)
    student = editions.student_notebook(full, chapter.name)
    text = all_text(student)
    assert "### BEGIN SOLUTION" not in text and "{solution" not in text
    assert leaked(full, text, chapter.name) == []
    code, _ = editions.solutions(full)
    assert text.count("raise NotImplementedError()") >= len(code)


@pytest.fixture(scope="module")
def student_notebooks(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    nbformat.write(synthetic_notebook(), out / "00_synthetic_full.ipynb")
    editions.write_student_notebooks(out, ROOT)
    student = editions.student_notebook(synthetic_notebook(), "synthetic")
    nbformat.write(student, out / "00_synthetic.ipynb")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", ["00_synthetic"] + CHAPTER_IDS)
def test_student_notebook_runs_top_to_bottom(student_notebooks, name):
    """nbval, in a fresh kernel: each stub raises NotImplementedError, its checker says 'not attempted
    yet' and hands back nnlite's function, so every later cell still runs."""
    path = student_notebooks / f"{name}.ipynb"
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
                             "--rootdir", str(student_notebooks), str(path)],
                            cwd=student_notebooks, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]


# ----------------------------------------------------------------------------------------------
# The student edition of the book


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(path):
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.parts)


# student_edition: the session's build of the student edition (tests/conftest.py)


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_student_edition_has_exercises_but_no_solutions(student_edition, chapter):
    page = student_edition / "chapters" / f"{chapter.stem}.html"
    html = page.read_text(encoding="utf-8")
    text = html_text(page)
    full = nbformat.read(chapter, as_version=4)
    assert leaked(full, text, chapter.name) == []
    assert 'class="solution' not in html and "solution-content" not in html
    assert "raise NotImplementedError()" in " ".join(text.split()) or not editions.solutions(full)[0]
    if "{exercise}" in all_text(full):
        assert 'class="exercise' in html or "exercise" in html


@pytest.mark.book
def test_full_edition_keeps_the_solutions(built_book):
    """The same detector finds the solutions in the full edition, so its silence above means something."""
    found = 0
    for chapter in CHAPTERS:
        page = built_book / "chapters" / f"{chapter.stem}.html"
        found += bool(leaked(nbformat.read(chapter, as_version=4), html_text(page), chapter.name))
    assert found == len(CHAPTERS)


def test_book_build_rebuilds_every_page_when_nnlite_changed(tmp_path, monkeypatch):
    """A changed nnlite drops the notebook caches and makes Sphinx rewrite every page (--all), not only
    the pages whose notebooks changed: a figure drawn by an edited helper would otherwise stay stale."""
    (tmp_path / "nnlite").mkdir()
    helper = tmp_path / "nnlite" / "plot.py"
    helper.write_text("def figure(): return 1\n")
    commands = []
    monkeypatch.setattr(editions.subprocess, "call", lambda command, cwd: commands.append(command) or 0)
    cache = tmp_path / "_build" / ".jupyter_cache"

    assert editions.build_book("full", root=tmp_path) == 0        # first build: nothing known yet
    cache.mkdir(parents=True)
    assert editions.build_book("full", root=tmp_path) == 0        # nothing changed
    helper.write_text("def figure(): return 2\n")
    assert editions.build_book("full", root=tmp_path) == 0        # the helper changed
    assert ["--all" in command for command in commands] == [True, False, True]
    assert not cache.exists()

    # The student edition keeps its own stamp: built after the change, it rebuilds every page too.
    monkeypatch.setattr(editions, "stage_student_edition", lambda root: tmp_path)
    student_cache = tmp_path / editions.STUDENT_BUILD / "_build" / ".jupyter_cache"
    student_cache.mkdir(parents=True)
    assert editions.build_book("student", root=tmp_path) == 0
    assert "--all" in commands[-1] and not student_cache.exists()
    assert editions.build_book("student", root=tmp_path) == 0
    assert "--all" not in commands[-1]
