"""make grade on a synthetic class: every planted defect gets its own verdict, and nothing a student
hands in stops the grading of the rest.

The class is made from the student notebooks (``tools.editions``) and the chapters' own solutions:
correct answers, untouched stubs, a wrong answer, a syntax error, ``exit()`` and ``os._exit()``, a loop
that swallows the time limit, a print of "✅" with the checker replaced, a corrupt file, a file that is
not a notebook, a notebook of another chapter under this chapter's name, and an empty folder.
"""

import copy
import csv
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import editions, grade

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CH1, CH2 = "01_neurons_and_layers", "02_parameters"
TIMEOUT = 120


def answer_cells(nb):
    """{checker: cell} of a notebook's answer cells."""
    return {cell.metadata["nbgrader"]["grade_id"][:-len("-solution")]: cell for cell in nb.cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-solution")}


def solved(student_nb, chapter_nb):
    """The student notebook with the chapter's solutions written in (markers removed)."""
    nb = copy.deepcopy(student_nb)
    full = answer_cells(chapter_nb)
    for name, cell in answer_cells(nb).items():
        cell.source = "\n".join(line for line in full[name].source.split("\n") if "### " not in line)
    return nb


def with_answer(nb, checker, source):
    nb = copy.deepcopy(nb)
    answer_cells(nb)[checker].source = source
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    student_dir = base / "student"
    editions.write_student_notebooks(student_dir)
    stub1 = nbformat.read(student_dir / f"{CH1}.ipynb", as_version=4)
    stub2 = nbformat.read(student_dir / f"{CH2}.ipynb", as_version=4)
    full1 = nbformat.read(ROOT / "chapters" / f"{CH1}.ipynb", as_version=4)
    full2 = nbformat.read(ROOT / "chapters" / f"{CH2}.ipynb", as_version=4)
    good1, good2 = solved(stub1, full1), solved(stub2, full2)
    submissions = base / "submissions"

    def hand_in(student, name, nb=None, text=None):
        folder = submissions / student
        folder.mkdir(parents=True, exist_ok=True)
        if nb is not None:
            nbformat.write(nb, folder / name)
        elif text is not None:
            (folder / name).write_text(text)

    hand_in("alice", f"{CH1}.ipynb", good1)
    hand_in("alice", f"{CH2}.ipynb", good2)
    hand_in("bob", f"{CH1}.ipynb", stub1)
    wrong = with_answer(good1, "weighted_sum", "def weighted_sum(x, w, b):\n    return 0.0")
    wrong = with_answer(wrong, "dense_forward", "def dense_forward(X, W, b)\n    return X @ W + b")
    hand_in("carol", f"{CH1}.ipynb", wrong)
    hostile = with_answer(good1, "weighted_sum",
                          "def weighted_sum(x, w, b):\n    while True:\n        try:\n            pass\n"
                          "        except:\n            pass")
    hostile = with_answer(hostile, "dense_forward", "def dense_forward(X, W, b):\n    exit()")
    hostile = with_answer(hostile, "neuron_output", "import os\ndef neuron_output(X, w, b):\n    os._exit(3)")
    hand_in("dave", f"{CH1}.ipynb", hostile)
    hand_in("erin", f"{CH1}.ipynb", text="{ this is not json")
    hand_in("erin", "answers.txt", text="I did it all in my head")
    (submissions / "frank").mkdir(parents=True)
    hand_in("gina", f"{CH1}.ipynb", good2)                  # chapter 2 under chapter 1's name
    cheat = with_answer(stub1, "weighted_sum",
                        "from nnlite import check\ncheck.weighted_sum = lambda f: f\n"
                        "print('✅ weighted_sum: passed 4 checks.')\n"
                        "def weighted_sum(x, w, b):\n    return 0.0")
    hand_in("ivy", f"{CH1}.ipynb", cheat)
    killer = with_answer(good1, "dense_forward", "import os\nos._exit(1)")
    hand_in("hank", f"{CH1}.ipynb", killer)

    grades = base / "grades.csv"
    result = subprocess.run([sys.executable, "-m", "tools.grade", str(submissions), str(grades),
                             "--timeout", str(TIMEOUT)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = list(csv.DictReader(open(grades, encoding="utf-8")))
    summary = {r["student"]: r for r in csv.DictReader(open(grade.summary_path(grades), encoding="utf-8"))}
    return rows, summary, result.stdout + result.stderr


def rows_of(rows, student, chapter=CH1):
    return {r["checker"]: r for r in rows if r["student"] == student and r["chapter"] == chapter}


def test_columns_and_exercise_numbers(graded):
    rows, _, _ = graded
    assert list(rows[0]) == grade.COLUMNS
    alice = rows_of(rows, "alice")
    assert {(r["exercise"], c) for c, r in alice.items()} == {
        ("1.1", "weighted_sum"), ("1.2", "dense_forward"), ("1.3", "neuron_output")}


def test_correct_answers_get_full_points(graded):
    rows, summary, _ = graded
    for chapter in (CH1, CH2):
        for row in rows_of(rows, "alice", chapter).values():
            assert row["status"] == "passed" and row["points"] == row["max_points"], row
    assert summary["alice"]["points"] == summary["alice"]["max_points"] != "0"
    assert summary["alice"]["chapters"] == f"{CH1} {CH2}"


def test_untouched_stubs_are_not_attempted(graded):
    rows, summary, _ = graded
    assert {r["status"] for r in rows_of(rows, "bob").values()} == {"not attempted"}
    assert summary["bob"]["points"] == "0"


def test_a_wrong_answer_fails_and_a_syntax_error_costs_only_its_exercise(graded):
    rows, _, _ = graded
    carol = rows_of(rows, "carol")
    assert carol["weighted_sum"]["status"] == "failed" and "Hint" in carol["weighted_sum"]["feedback"]
    assert carol["dense_forward"]["status"] == "error" and "SyntaxError" in carol["dense_forward"]["feedback"]
    assert carol["neuron_output"]["status"] == "passed"


def test_hostile_answers_fail_and_the_notebook_goes_on(graded):
    rows, _, _ = graded
    dave = rows_of(rows, "dave")
    assert dave["weighted_sum"]["status"] == "failed" and "was stopped" in dave["weighted_sum"]["feedback"]
    assert dave["dense_forward"]["status"] == "failed" and "exit()" in dave["dense_forward"]["feedback"]
    assert dave["neuron_output"]["status"] == "failed" and "exit code 3" in dave["neuron_output"]["feedback"]


def test_files_that_are_not_notebooks_and_empty_folders_get_a_clear_error(graded):
    rows, summary, _ = graded
    erin = [r for r in rows if r["student"] == "erin"]
    assert any("not a readable notebook" in r["feedback"] for r in erin)
    assert any("answers.txt is not a notebook" in r["feedback"] and r["chapter"] == "" for r in erin)
    assert all(r["status"] == "error" and r["points"] == "0" for r in erin)
    frank = [r for r in rows if r["student"] == "frank"]
    assert len(frank) == 1 and frank[0]["status"] == "error" and "empty" in frank[0]["feedback"]
    assert summary["frank"]["points"] == "0"


def test_a_notebook_is_graded_as_the_chapter_its_stamp_names(graded):
    rows, _, _ = graded
    gina = [r for r in rows if r["student"] == "gina"]
    assert {r["chapter"] for r in gina} == {CH2}
    assert all(r["status"] == "passed" for r in gina)
    assert f"holds chapter {CH2}" in gina[0]["feedback"]


def test_printing_a_pass_and_replacing_the_checker_earn_nothing(graded):
    rows, _, _ = graded
    ivy = rows_of(rows, "ivy")
    assert ivy["weighted_sum"]["status"] != "passed" and ivy["weighted_sum"]["points"] == "0"


def test_a_killed_kernel_costs_the_rest_of_that_notebook_only(graded):
    rows, _, _ = graded
    hank = rows_of(rows, "hank")
    assert hank["weighted_sum"]["status"] == "passed"
    assert hank["dense_forward"]["status"] == "error" and hank["neuron_output"]["status"] == "error"
    assert "kernel stopped" in hank["neuron_output"]["feedback"]
    assert rows_of(rows, "alice")["neuron_output"]["status"] == "passed", "the others are graded"


def test_every_student_is_in_the_summary_and_the_progress_bar_ran(graded):
    _, summary, output = graded
    assert set(summary) == {"alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivy"}
    assert "grading" in output and "Graded 9 students" in output


def test_a_missing_folder_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "tools.grade", str(tmp_path / "nope"), str(tmp_path / "g.csv")],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "is not a folder" in result.stderr
    assert not (tmp_path / "g.csv").exists()
