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
"""

import argparse
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
            "test-artifacts", ".jupyter_cache", "__pycache__", ".ipynb_checkpoints", "nnlite.egg-info"}

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


def _preprocessors():
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
                        cell.source = strip_code_solution(cell.source, where)
                    cells.append(cell)
            if in_gate:
                raise SolutionMarkerError(f"{name}: a {{solution-start}} is never closed by {{solution-end}}.")
            nb.cells = cells
            nb.metadata.pop("widgets", None)        # saved widget state is output too
            return nb, resources

    return StripSolutionsPreprocessor(), ClearOutputPreprocessor()


def student_notebook(nb, name="a notebook"):
    """The student version of the notebook ``nb`` (an nbformat NotebookNode; a changed copy is returned)."""
    import copy

    nb = copy.deepcopy(nb)
    resources = {"metadata": {"name": name}}
    for preprocessor in _preprocessors():
        nb, resources = preprocessor.preprocess(nb, resources)
    return nb


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


def write_student_notebooks(out=ROOT / "student", root=ROOT):
    """Write the student version of every chapter into ``out``; returns the paths written."""
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in chapter_notebooks(root):
        nb = nbformat.read(source, as_version=4)
        student = student_notebook(nb, name=source.name)
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
# Difficulty of the code exercises (1 a direct translation of a formula, 3 needs care beyond the formula).
CODE_DIFFICULTY = {
    "weighted_sum": 1, "dense_forward": 1, "neuron_output": 1,
    "count_parameters": 1, "init_uniform": 2, "bias_shift": 1,
    "relu": 1, "sigmoid": 3, "sigmoid_grad": 1,
    "softmax": 2, "mse": 1, "cross_entropy": 3,
    "dense_backward": 2, "relu_backward": 1, "numerical_gradient": 2,
    "sgd_step": 1, "momentum_step": 2, "adam_step": 3,
    "conv1d": 2, "maxpool1d": 2, "conv_output_length": 1,
    "rnn_step": 1, "rnn_forward": 2, "clip_gradient": 2,
    "batchnorm_forward": 2, "layernorm_forward": 2, "dropout_forward": 2,
}
PROSE_DIFFICULTY = {}          # label -> 1..3; prose exercises not listed count as 2
_CHECKED = re.compile(r"^(?P<name>\w+)\s*=\s*check\.(?P<checker>\w+)\(\s*(?P=name)\s*\)", re.M)
_EXERCISE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                       re.M | re.S)


def _field(text, name):
    match = re.search(r"\*\*" + name + r"[.:]?\*\*[.:]?\s*(.+?)(?:\n\s*\n|\n(?:```|:::)|$)", text, re.S)
    return " ".join(match.group(1).split()) if match else ""


def _chapter_links(text):
    """{doc} links written relative to chapters/ made absolute, so they work from book/."""
    return re.sub(r"\{doc\}`([^`<]*<)?(\d\d_\w+)(>?)`", lambda m: f"{{doc}}`{m[1] or ''}/chapters/{m[2]}{m[3]}`", text)


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
    exercises = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for match in _CHECKED.finditer(cell.source):
                name = match["checker"]
                signature = re.search(r"^def (" + match["name"] + r"\(.*?\)):", cell.source, re.M)
                exercises.append({"kind": "code", "title": f"`{signature.group(1) if signature else name}`",
                                  "checker": f"check.{name}", "difficulty": CODE_DIFFICULTY.get(name, 2)})
        elif cell.cell_type == "markdown":
            for match in _EXERCISE.finditer(cell.source):
                body = match["body"]
                label = re.search(r"^:label:\s*(\S+)", body, re.M)
                label = label.group(1) if label else ""
                exercises.append({"kind": "prose", "title": match["title"].strip() or _first_sentence(body),
                                  "label": label, "checker": "— (discussion)",
                                  "difficulty": PROSE_DIFFICULTY.get(label, 2)})
    return {"path": path, "title": title, "objectives": objectives,
            "time": _field(intro, "Estimated time").rstrip("."), "prerequisites": _field(intro, "Prerequisites"),
            "exercises": exercises}


def _first_sentence(body, limit=70):
    """An exercise's first sentence, shortened without cutting through maths or code."""
    prose = " ".join(line for line in body.splitlines() if line.strip() and not line.startswith(":"))
    sentence = re.split(r"(?<=[.?!])\s", prose, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0]
    while cut.count("$") % 2 or cut.count("`") % 2:
        cut = cut[:max(cut.rfind("$"), cut.rfind("`"))].rstrip()
    if len(cut) < limit // 2:                   # the cut fell inside a long formula: keep it whole
        return sentence
    return cut + " …"


def instructor_tables(root=ROOT):
    """The generated part of the instructor guide, as MyST markdown."""
    lines = []
    for path in chapter_notebooks(root):
        chapter = chapter_overview(path)
        lines += [f"### {chapter['title']}", "",
                  f"{{doc}}`Open the chapter </chapters/{path.stem}>` · student notebook "
                  f"`student/{path.name}` · **Time:** {chapter['time'] or 'not stated'} · "
                  f"**Prerequisites:** {_chapter_links(chapter['prerequisites']) or 'not stated'}", ""]
        if chapter["objectives"]:
            lines += ["Objectives:", ""] + [f"- {_chapter_links(o)}" for o in chapter["objectives"]] + [""]
        lines += ["| Exercise | Kind | Difficulty | Checker |", "|---|---|---|---|"]
        for exercise in chapter["exercises"]:
            title = exercise["title"].replace("|", "\\|")
            checker = f"`{exercise['checker']}`" if exercise["kind"] == "code" else exercise["checker"]
            lines.append(f"| {title} | {exercise['kind']} | {STARS[exercise['difficulty']]} | {checker} |")
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
    write_student_notebooks(source / "chapters", root)
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


def invalidate_stale_cache(root=ROOT):
    """Drop the notebook execution caches when nnlite changed since they were filled.

    jupyter-cache re-runs a notebook only when its code cells change; a figure drawn by an nnlite helper
    that was edited since would otherwise stay stale in the book.
    """
    stamp = Path(root) / "_build" / ".nnlite-fingerprint"
    fingerprint = library_fingerprint(root)
    if stamp.exists() and stamp.read_text() == fingerprint:
        return False
    for cache in (Path(root) / "_build" / ".jupyter_cache", Path(root) / STUDENT_BUILD / "_build" / ".jupyter_cache"):
        shutil.rmtree(cache, ignore_errors=True)
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
    stale = invalidate_stale_cache(root)
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
    student = sub.add_parser("student", help="write the student notebooks (solutions removed) into student/")
    student.add_argument("--out", default=str(ROOT / "student"), help="folder for the notebooks (default: student/)")
    sub.add_parser("guide", help="refresh the per-chapter tables of book/instructor_guide.md")
    args = parser.parse_args(argv)
    if args.command == "guide":
        changed = write_instructor_guide()
        print(f"{GUIDE}: {'updated' if changed else 'already up to date'}")
        return 0
    if args.command == "book":
        return build_book(args.edition)
    if args.command == "student":
        try:
            written = write_student_notebooks(args.out)
        except SolutionMarkerError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"Wrote {len(written)} student notebooks to {args.out}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
