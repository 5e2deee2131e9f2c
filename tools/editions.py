"""Build the book and the student notebooks from one source.

    python -m tools.editions book [--edition full|student]   # full: _build/html; student: _build/student/_build/html
    python -m tools.editions student [--out student]         # student notebooks into student/
    python -m tools.editions guide                           # refresh book/instructor_guide.md's tables

Used by ``make book``, ``make book EDITION=student`` and ``make student``. Needs the course requirements
(jupyter-book, nbformat, nbconvert).

The chapters are the one source. In a code exercise the lines between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` are the solution; prose exercises keep theirs in sphinx-exercise ``{solution}``
blocks, or between gated ``{solution-start}`` and ``{solution-end}`` directives when the solution spans
cells. The student version of a notebook replaces each solution block with ``# YOUR CODE HERE`` and
``raise NotImplementedError()``, drops the prose solutions, and clears the outputs. The student edition
of the book is built from the student notebooks, with sphinx-exercise's ``hide_solutions`` switched on.

The student notebooks of ``make student`` are read in any front end with no extension, so they are plain
Markdown (:mod:`tools.markdown`): terms, citations, cross-references, admonitions, exercises and figure
captions become Markdown, and each ``{eval}`` becomes the value it has at its point of the executed
chapter (:mod:`tools.evaluate`). The student edition of the book keeps the MyST, which Sphinx renders.
"""

import argparse
import copy
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
STUDENT_BUILD = Path("_build") / "student"                 # the student edition, relative to the root
STUDENT_HTML = STUDENT_BUILD / "_build" / "html"
# Top-level entries the book build never reads; everything else is copied for the student edition.
NOT_BOOK = {".git", ".venv", "_build", "student", "nnlite", "tools", "tests", "benchmarks", ".ci", ".pytest_cache",
            "test-artifacts", ".lite-cache", ".jupyter_cache", "__pycache__", ".ipynb_checkpoints", "nnlite.egg-info"}

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}")


class SolutionMarkerError(ValueError):
    """A notebook's solution markers do not pair up; the message names the notebook and cell."""


# ----------------------------------------------------------------------------------------------
# Code solutions


def strip_code_solution(source, where="a cell"):
    """``source`` with every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block (markers included)
    replaced by ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the marker's indentation."""
    kept, inside = [], False
    for number, line in enumerate(source.split("\n"), start=1):
        text = line.strip()
        if text.startswith(BEGIN):
            if inside:
                raise SolutionMarkerError(f"{where}, line {number}: {BEGIN} inside another solution block.")
            indent = line[:len(line) - len(line.lstrip())]
            kept.extend(indent + stub for stub in STUB)
            inside = True
        elif text.startswith(END):
            if not inside:
                raise SolutionMarkerError(f"{where}, line {number}: {END} without a {BEGIN} before it.")
            inside = False
        elif not inside:
            kept.append(line)
    if inside:
        raise SolutionMarkerError(f"{where}: {BEGIN} is never closed by {END}.")
    return "\n".join(kept)


def code_solutions(source):
    """The solution blocks of a cell: a list of lists of lines (markers excluded)."""
    blocks, current = [], None
    for line in source.split("\n"):
        text = line.strip()
        if text.startswith(BEGIN):
            current = []
        elif text.startswith(END) and current is not None:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return blocks


# ----------------------------------------------------------------------------------------------
# Prose solutions (sphinx-exercise directives in markdown cells)


def _directive_end(lines, start):
    """Index of the line that closes the directive opened at ``lines[start]``."""
    opening = _FENCE.match(lines[start])
    char, length = opening["fence"][0], len(opening["fence"])
    for i in range(start + 1, len(lines)):
        text = lines[i].strip()
        if text and set(text) == {char} and len(text) >= length:
            return i
    return len(lines) - 1           # an unclosed directive runs to the end of the cell, as in MyST


def _skip_blank(lines, i, kept):
    """Past the blank lines at ``i`` if what was kept already ends with one (no gap where a solution was)."""
    if kept and not kept[-1].strip():
        while i < len(lines) and not lines[i].strip():
            i += 1
    return i


def split_prose(source, in_gate=False):
    """Split a markdown cell into what a student sees and the prose solutions it holds.

    ``in_gate`` says whether the cell starts inside a gated solution (after a ``{solution-start}``).
    Returns (kept text, list of solution texts, whether the cell ends inside a gated solution).
    """
    lines = source.split("\n")
    kept, solutions, i = [], [], 0
    gate_text = []
    while i < len(lines):
        match = _FENCE.match(lines[i])
        name = match["name"] if match else None
        if in_gate:
            if name == "solution-end":
                i = _skip_blank(lines, _directive_end(lines, i) + 1, kept)
                solutions.append("\n".join(gate_text))
                gate_text, in_gate = [], False
            else:
                gate_text.append(lines[i])
                i += 1
        elif name == "solution":
            end = _directive_end(lines, i)
            solutions.append("\n".join(lines[i + 1:end]))
            i = _skip_blank(lines, end + 1, kept)
        elif name == "solution-start":
            i = _directive_end(lines, i) + 1
            in_gate = True
        else:
            kept.append(lines[i])
            i += 1
    if gate_text:
        solutions.append("\n".join(gate_text))
    return "\n".join(kept).strip("\n"), solutions, in_gate


# ----------------------------------------------------------------------------------------------
# Whole notebooks


def _preprocessors(keep_code_solutions=False):
    from nbconvert.preprocessors import ClearOutputPreprocessor, Preprocessor

    class StripSolutionsPreprocessor(Preprocessor):
        """Replace code solutions with a stub and drop prose solutions, gated ones across cells."""

        def preprocess(self, nb, resources):
            name = resources.get("metadata", {}).get("name", "a notebook")
            cells, in_gate = [], False
            for index, cell in enumerate(nb.cells):
                where = f"{name}, cell {index}"
                if cell.cell_type == "markdown":
                    text, _, in_gate_after = split_prose(cell.source, in_gate)
                    in_gate = in_gate_after
                    if text.strip():
                        cell.source = text
                        cells.append(cell)
                elif in_gate:
                    continue                        # a code cell inside a gated solution
                else:
                    if cell.cell_type == "code":
                        stripped = strip_code_solution(cell.source, where)   # checks the markers pair up
                        if not keep_code_solutions:
                            cell.source = stripped
                    cells.append(cell)
            if in_gate:
                raise SolutionMarkerError(f"{name}: a {{solution-start}} is never closed by {{solution-end}}.")
            nb.cells = cells
            nb.metadata.pop("widgets", None)        # saved widget state is output too
            return nb, resources

    return StripSolutionsPreprocessor(), ClearOutputPreprocessor()


def student_notebook(nb, name="a notebook", *, markdown=True, values=None, book=None, cwd=None, root=ROOT,
                     keep_code_solutions=False):
    """The student version of the notebook ``nb`` (an nbformat NotebookNode; a changed copy is returned).

    ``name`` is the chapter's file name (``NN_name.ipynb``: it gives the chapter number). With ``markdown``
    (the default, for ``make student``) the MyST becomes plain Markdown and the notebook must not import
    myst_nb; ``values`` are its ``{eval}`` values (computed, or read from the cache, when not given: the
    chapter runs in ``cwd``, default ``chapters/``) and ``book`` the :class:`tools.markdown.Book` it
    refers to (read from ``root`` when not given). Without ``markdown`` (the student edition of the
    book) the MyST stays for Sphinx. With ``keep_code_solutions`` the code solutions stay between their
    markers (nbgrader's ``source`` notebooks: ``nbgrader generate_assignment`` strips them itself).
    """
    import copy

    nb = copy.deepcopy(nb)
    chapter_number = re.match(r"(\d+)_", Path(name).stem)
    written = {e["number"] for e in chapter_exercises(nb, int(chapter_number.group(1)) if chapter_number else 0)
               if e["kind"] == "written"}
    if markdown:
        from tools import markdown as md

        md.check_no_myst_nb(nb, name)
        if values is None:
            from tools import evaluate

            values = evaluate.chapter_values(nb, name, cwd=cwd, root=root)
        nb = md.convert_notebook(nb, name, book=book or md.Book.load(root), values=values)
    resources = {"metadata": {"name": name}}
    for preprocessor in _preprocessors(keep_code_solutions):
        nb, resources = preprocessor.preprocess(nb, resources)
    stem = Path(name).stem
    number = re.match(r"(\d+)_", stem)
    if markdown:
        _add_answer_cells(nb, written)
    nb.metadata["nnlite"] = {"chapter": stem, "number": int(number.group(1)) if number else None,
                             "edition": "student"}
    return nb


ANSWER_CELL = "**Your answer to Exercise {number}.** *(Double-click this cell and write here.)*"
_EXERCISE_HEADING = re.compile(r"^#{2,4} Exercise (\d+\.\d+)\b", re.M)


def _add_answer_cells(nb, written):
    """After each written exercise of a student notebook (plain Markdown), a cell to answer it in."""
    import nbformat

    cells = []
    for cell in nb.cells:
        starts = [m.start() for m in _EXERCISE_HEADING.finditer(cell.source)] if cell.cell_type == "markdown" else []
        if not starts:
            cells.append(cell)
            continue
        pieces = [cell.source[:starts[0]]] + [cell.source[a:b] for a, b in zip(starts, starts[1:] + [None])]
        for index, piece in enumerate(pieces):
            if not piece.strip():
                continue
            part = copy.deepcopy(cell) if index else cell
            part.source = piece.strip("\n")
            if index:
                part["id"] = nbformat.v4.new_markdown_cell().id      # a cell id of its own
            cells.append(part)
            match = _EXERCISE_HEADING.match(piece)
            if match and match.group(1) in written:
                cells.append(nbformat.v4.new_markdown_cell(ANSWER_CELL.format(number=match.group(1))))
    nb.cells = cells


def solutions(nb):
    """Every solution in a full notebook: (code blocks as lists of lines, prose solution texts)."""
    code, prose, in_gate = [], [], False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            _, found, in_gate = split_prose(cell.source, in_gate)
            prose.extend(found)
        elif in_gate:
            prose.append(cell.source)
        elif cell.cell_type == "code":
            code.extend(code_solutions(cell.source))
    return code, prose


def chapter_notebooks(root=ROOT):
    """The chapter notebooks, in reading order: chapters/NN_name.ipynb."""
    return sorted(Path(root, "chapters").glob("[0-9][0-9]_*.ipynb"))


def _write_if_changed(nb, path, like):
    """Write ``nb`` to ``path`` unless it already holds the same; give it ``like``'s modification time so
    incremental book builds see an unchanged chapter as unchanged."""
    import nbformat

    text = nbformat.writes(nb) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    stat = like.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime))


def write_student_notebooks(out=ROOT / "student", root=ROOT, markdown=True, jobs=None, progress=None,
                            keep_code_solutions=False):
    """Write the student version of every chapter into ``out``; returns the paths written.

    With ``markdown`` (``make student``) the notebooks are plain Markdown, their ``{eval}`` values
    computed first, several chapters in parallel (``jobs`` kernels, default one per core; cached in
    _build/.eval_cache). Without it (the student edition of the book) they keep their MyST.
    ``progress`` is called with a line of text before a long step.
    """
    import nbformat

    out = Path(out)
    sources = chapter_notebooks(root)
    notebooks = [nbformat.read(source, as_version=4) for source in sources]
    values, book = [None] * len(sources), None
    if markdown:
        from tools import evaluate
        from tools import markdown as md

        for nb, source in zip(notebooks, sources):
            md.check_no_myst_nb(nb, source.name)          # before minutes of evaluation, not after
        chapters = [(nb, source.name, source.parent) for nb, source in zip(notebooks, sources)]
        values = evaluate.evaluate_chapters(chapters, root, jobs=jobs, progress=progress)
        book = md.Book.load(root)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source, nb, chapter_values in zip(sources, notebooks, values):
        student = student_notebook(nb, name=source.name, markdown=markdown, values=chapter_values, book=book,
                                   root=root, keep_code_solutions=keep_code_solutions)
        nbformat.validate(student)
        target = out / source.name
        _write_if_changed(student, target, like=source)
        written.append(target)
    return written


# ----------------------------------------------------------------------------------------------
# The instructor guide's per-chapter tables, generated from the chapters

GUIDE = Path("book") / "instructor_guide.md"
GUIDE_BEGIN = "<!-- BEGIN GENERATED: python -m tools.editions guide -->"
GUIDE_END = "<!-- END GENERATED -->"
STARS = {1: "★☆☆", 2: "★★☆", 3: "★★★"}
# An exercise opens with ```{exercise} Title · ★★☆ (written) or ```{exercise-start} Title · ★☆☆ (gated
# around the code cells of a code exercise); the stars are its difficulty, 1 to 3.
_EXERCISE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<kind>exercise|exercise-start)\}[ \t]*(?P<title>[^\n]*)\n"
                            r"(?:[ \t]*:label:[ \t]*(?P<label>\S+)[ \t]*\n)?", re.M)
_DIFFICULTY = re.compile(r"\s*·\s*(?P<stars>[★☆]{3})\s*$")
_CHECKED = re.compile(r"^(?P<name>\w+)\s*=\s*check\.(?P<checker>\w+)\(\s*(?P=name)\s*\)", re.M)


def split_title(title):
    """(title, difficulty 1-3) of an exercise title such as ``The weighted sum · ★☆☆``."""
    match = _DIFFICULTY.search(title)
    if not match:
        return title.strip(), None
    return title[:match.start()].strip(), match["stars"].count("★")


def chapter_exercises(nb, number):
    """Every exercise of a chapter notebook, code and written, in the order (and with the numbers) the
    book prints them: dicts with number ("3.2"), title, difficulty, label, kind ("code": gated around
    code cells, or "written"), and for a checked code exercise the checker's name and the points of its
    checker cell."""
    exercises, current = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for match in _EXERCISE_OPEN.finditer(cell.source):
                title, difficulty = split_title(match["title"])
                kind = "code" if match["kind"] == "exercise-start" else "written"     # gated around code cells
                current = {"number": f"{number}.{len(exercises) + 1}", "title": title, "difficulty": difficulty,
                           "label": match["label"] or "", "kind": kind, "checker": None, "points": None}
                exercises.append(current)
                if match["kind"] == "exercise":
                    current = None
            if re.search(r"\{exercise-end\}", cell.source):
                current = None
        elif cell.cell_type == "code" and current is not None:
            checked = _CHECKED.search(cell.source)
            if checked:
                current.update(checker=checked["checker"], points=cell.metadata.get("nbgrader", {}).get("points"))
    return exercises


def _field(text, name):
    match = re.search(r"\*\*" + name + r"[.:]?\*\*[.:]?\s*(.+?)(?:\n\s*\n|\n(?:```|:::)|$)", text, re.S)
    return " ".join(match.group(1).split()) if match else ""


def _chapter_links(text):
    """Links to chapters written relative to chapters/ ({doc} roles, or Markdown links to the .ipynb that
    JupyterLab and the student notebooks follow too) made to work from book/."""
    text = re.sub(r"\{doc\}`([^`<]*<)?(\d\d_\w+)(>?)`", lambda m: f"{{doc}}`{m[1] or ''}/chapters/{m[2]}{m[3]}`", text)
    return re.sub(r"\]\((\d\d_\w+)\.ipynb\)", r"](../chapters/\1.ipynb)", text)


def chapter_overview(path):
    """What an instructor needs from one chapter: title, objectives, time, prerequisites, exercises."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    intro = "\n".join(markdown[:3])
    title = next((line[2:].strip() for line in intro.splitlines() if line.startswith("# ")), path.stem)
    number = re.match(r"\d+", path.name)
    if number:                                     # the toc numbers the chapters; the guide does too
        title = re.sub(r"^\d+\.\s*", "", title)
        title = f"{int(number.group())}. {title}"
    objectives_text = intro.split("Learning objectives", 1)[1] if "Learning objectives" in intro else ""
    objectives = []
    for line in objectives_text.splitlines():
        if re.match(r"\s*[-*] ", line):
            objectives.append(line.strip()[2:])
        elif objectives and line.startswith("  ") and line.strip():
            objectives[-1] += " " + line.strip()
        elif objectives and not line.strip():
            break
    exercises = chapter_exercises(nb, int(number.group()) if number else 0)
    return {"path": path, "title": title, "objectives": objectives,
            "time": _field(intro, "Estimated time").rstrip("."), "prerequisites": _field(intro, "Prerequisites"),
            "exercises": exercises}


def instructor_tables(root=ROOT):
    """The generated part of the instructor guide, as MyST markdown: two course plans, then a section
    per chapter."""
    from tools import plan

    overviews = [chapter_overview(path) for path in chapter_notebooks(root)]
    lines = []
    if overviews:
        lines += ["### Plans for a term", "",
                  "Built from the chapters' own times, in reading order (every prerequisite comes earlier). "
                  "The minutes are for reading a chapter and working its exercises; the points are those of "
                  "its checked code exercises, as `make grade` and nbgrader count them.", "",
                  "A 10-week course, one chapter a week:", "", plan.plan_table(overviews, 10), "",
                  "A 4-week course (a summer school), the busiest week as light as the order allows:", "",
                  plan.plan_table(overviews, 4), ""]
    for path, chapter in zip(chapter_notebooks(root), overviews):
        lines += [f"### {chapter['title']}", "",
                  f"{{doc}}`Open the chapter </chapters/{path.stem}>` · student notebook "
                  f"`student/{path.name}` · **Time:** {chapter['time'] or 'not stated'} · "
                  f"**Prerequisites:** {_chapter_links(chapter['prerequisites']) or 'not stated'}", ""]
        if chapter["objectives"]:
            lines += ["Objectives:", ""] + [f"- {_chapter_links(o)}" for o in chapter["objectives"]] + [""]
        lines += ["| Exercise | Title | Kind | Difficulty | Points | Checker |", "|---|---|---|---|---|---|"]
        for exercise in chapter["exercises"]:
            title = exercise["title"].replace("|", "\\|")
            difficulty = STARS.get(exercise["difficulty"], "not stated")
            checker = (f"`check.{exercise['checker']}`" if exercise["checker"]
                       else "— (discussion)" if exercise["kind"] == "written" else "— (not checked)")
            points = exercise["points"] if exercise["points"] is not None else "—"
            lines.append(f"| {exercise['number']} | {title} | {exercise['kind']} | {difficulty} | {points} | {checker} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_instructor_guide(root=ROOT):
    """Refresh the generated tables in book/instructor_guide.md; returns True if the file changed."""
    path = Path(root) / GUIDE
    text = path.read_text(encoding="utf-8")
    if GUIDE_BEGIN not in text or GUIDE_END not in text:
        raise ValueError(f"{path} has lost its markers {GUIDE_BEGIN!r} / {GUIDE_END!r}.")
    head, rest = text.split(GUIDE_BEGIN, 1)
    _, tail = rest.split(GUIDE_END, 1)
    new = f"{head}{GUIDE_BEGIN}\n\n{instructor_tables(root)}\n{GUIDE_END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


# ----------------------------------------------------------------------------------------------
# The book


def stage_student_edition(root=ROOT, source=None):
    """Copy the book's sources to ``source`` (default _build/student/source) with the chapters replaced by
    their student versions and a configuration that sets sphinx-exercise's ``hide_solutions``; returns
    that folder."""
    import yaml

    root = Path(root)
    source = Path(source) if source else root / STUDENT_BUILD / "source"
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    for entry in root.iterdir():
        if entry.name in NOT_BOOK or entry.name.endswith(".egg-info"):
            continue
        if entry.is_dir():
            shutil.copytree(entry, source / entry.name, ignore=shutil.ignore_patterns(*NOT_BOOK))
        else:
            shutil.copy2(entry, source / entry.name)
    for path in (source / "chapters").glob("[0-9][0-9]_*.ipynb"):
        path.unlink()
    write_student_notebooks(source / "chapters", root, markdown=False)     # Sphinx renders the MyST
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    config["title"] = f"{config.get('title', 'nnlite')} (student edition)"
    (source / "_config.yml").write_text(
        "# Generated by tools.editions for the student edition: do not edit.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return source


def library_fingerprint(root=ROOT):
    """A hash of nnlite's source and data: the chapters' outputs depend on it, not only on their cells."""
    digest = hashlib.sha256()
    for path in sorted((Path(root) / "nnlite").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".gz"):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def invalidate_stale_cache(root=ROOT, edition="full"):
    """Drop an edition's notebook execution cache when nnlite changed since it was filled.

    jupyter-cache re-runs a notebook only when its code cells change; a figure drawn by an nnlite helper
    that was edited since would otherwise stay stale in the book. Each edition keeps its own stamp: the
    edition built second after a change must rebuild too.
    """
    build = Path(root) / ("_build" if edition == "full" else STUDENT_BUILD / "_build")
    stamp = Path(root) / "_build" / f".nnlite-fingerprint-{edition}"
    fingerprint = library_fingerprint(root)
    if stamp.exists() and stamp.read_text() == fingerprint:
        return False
    shutil.rmtree(build / ".jupyter_cache", ignore_errors=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint)
    return True


def build_book(edition="full", root=ROOT):
    """Run Jupyter Book v1 with Sphinx warnings as errors; returns the exit code.

    full: the book with solutions (in collapsed dropdowns) into _build/html.
    student: the book without solutions, built from the student notebooks, into _build/student/_build/html.
    """
    if edition not in ("full", "student"):
        raise SystemExit(f"Unknown edition {edition!r}: use full or student.")
    jb = Path(sys.executable).with_name("jupyter-book")
    root = Path(root)
    if (root / GUIDE).exists():
        write_instructor_guide(root)            # its tables follow the chapters
    stale = invalidate_stale_cache(root, edition)
    if edition == "full":
        command = [str(jb), "build", str(root), "--warningiserror", "--keep-going"]
    else:
        source = stage_student_edition(root)
        command = [str(jb), "build", str(source), "--path-output", str(root / STUDENT_BUILD),
                   "--warningiserror", "--keep-going"]
    if stale:
        command.append("--all")   # Sphinx keeps the pages of unchanged notebooks: nnlite changed, rebuild them
    code = subprocess.call(command, cwd=root)
    if code == 0 and edition == "student":
        print(f"Student edition (no solutions): {root / STUDENT_HTML / 'index.html'}")
    return code


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.editions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    book = sub.add_parser("book", help="build the book (full: _build/html; student: _build/student/_build/html)")
    book.add_argument("--edition", default="full", choices=["full", "student"])
    student = sub.add_parser("student", help="write the student notebooks (no solutions, plain Markdown) into student/")
    student.add_argument("--out", default=str(ROOT / "student"), help="folder for the notebooks (default: student/)")
    sub.add_parser("guide", help="refresh the per-chapter tables of book/instructor_guide.md")
    source = sub.add_parser("nbgrader-source", help="the chapters as nbgrader source notebooks: student "
                            "notebooks whose code solutions stay between their markers")
    source.add_argument("--out", required=True, help="folder for the notebooks (e.g. source/ch03 of a course)")
    args = parser.parse_args(argv)
    if args.command == "guide":
        changed = write_instructor_guide()
        print(f"{GUIDE}: {'updated' if changed else 'already up to date'}")
        return 0
    if args.command == "book":
        return build_book(args.edition)
    if args.command == "nbgrader-source":
        written = write_student_notebooks(args.out, progress=lambda line: print(line, flush=True),
                                          keep_code_solutions=True)
        print(f"Wrote {len(written)} nbgrader source notebooks to {args.out}")
        return 0
    if args.command == "student":
        from tools.evaluate import EvalError
        from tools.markdown import MystConversionError

        try:
            written = write_student_notebooks(args.out, progress=lambda line: print(line, flush=True))
        except (SolutionMarkerError, MystConversionError, EvalError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"Wrote {len(written)} student notebooks to {args.out}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
