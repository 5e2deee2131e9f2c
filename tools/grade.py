"""Grade a class: run every handed-in chapter notebook and write one CSV row per student and exercise.

    python -m tools.grade SUBMISSIONS GRADES.csv [--timeout 300] [--jobs N]
    make grade SUBMISSIONS=DIR GRADES=FILE.csv [TIMEOUT=300]

``SUBMISSIONS/<student>/<chapter>.ipynb``, named as the student notebooks (``01_neurons_and_layers.ipynb``);
a student may hand in some chapters only. A notebook is matched to its chapter by the stamp
``metadata.nnlite.chapter`` that ``make student`` writes, else by its file name.

What runs is the grader's, not the student's word:

- the grader takes the course's own chapter notebook and puts in it the student's answer cells only
  (the cells with nbgrader's ``solution: true``, matched by ``grade_id``; or the cell that defines the
  exercise's function). Every other cell, the checker cells included, is the course's. A student cannot
  pass by printing "✅" or by editing a checker cell;
- the checkers write each verdict to a file the grader names (``NNLITE_GRADE_LOG``); the grade is read
  from there, never from printed text. An exercise whose checker left no verdict is not passed;
- each notebook runs in a fresh kernel in a process of its own, with a time limit for the whole notebook
  (``--timeout``, default 300 s) and an address-space limit, and the checkers run the student's
  functions in a child process (``nnlite.check``): an ``exit()``, an endless loop, a memory bomb or a
  file that is not a notebook costs that notebook (or that exercise) its points, and nothing else.

Not protected: a student who writes code at the top level of an answer cell that deliberately
tampers with nnlite's internals or with the verdict file. The guide says so.

Writes ``GRADES.csv`` (columns ``student, chapter, exercise, checker, status, points, max_points,
feedback``; status is ``passed``, ``failed``, ``not attempted`` or ``error``) and a per-student summary
``GRADES_summary.csv``.
"""

import argparse
import concurrent.futures
import copy
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["student", "chapter", "exercise", "checker", "status", "points", "max_points", "feedback"]
SUMMARY_COLUMNS = ["student", "chapters", "points", "max_points"]
TIMEOUT = 300.0
MEMORY_LIMIT = 6 * 1024 ** 3          # address space of a notebook's process and its kernel
_DEFINES = re.compile(r"^def (?P<name>\w+)\(", re.M)


# ----------------------------------------------------------------------------------------------
# The course's chapters and their code exercises


def chapters(root=ROOT):
    """{chapter stem: {"path", "number", "exercises": [code exercise dicts]}} from chapters/."""
    import nbformat

    from tools import editions

    found = {}
    for path in editions.chapter_notebooks(root):
        nb = nbformat.read(path, as_version=4)
        number = int(path.name[:2])
        exercises = [e for e in editions.chapter_exercises(nb, number) if e["checker"]]
        found[path.stem] = {"path": path, "number": number, "exercises": exercises}
    return found


def _solution_cells(nb):
    """{checker name: index of its answer cell} in a notebook (nbgrader grade_id, else the def line)."""
    cells = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("-solution"):
            cells.setdefault(grade_id[:-len("-solution")], index)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for match in _DEFINES.finditer(cell.source):
                cells.setdefault(match["name"], index)
    return cells


def grading_notebook(master, handed_in):
    """The course's chapter with the student's answer cells put in; (notebook, {checker: note}).

    A note says what was missing (no answer cell found: the course's stub stays, so the checker says
    "not attempted")."""
    from tools import editions

    nb = copy.deepcopy(master)
    theirs = _solution_cells(handed_in)
    notes = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("-solution"):
            name = grade_id[:-len("-solution")]
            if name in theirs:
                cell.source = handed_in.cells[theirs[name]].source
            else:
                cell.source = editions.strip_code_solution(cell.source)
                notes[name] = "no answer cell for this exercise in the notebook handed in"
        elif _display_only(cell.source):
            cell.source = ""                              # widgets draw frames: seconds, and no grade
        cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    return nb, notes


def _display_only(source):
    lines = [line for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
    return bool(lines) and all(line.startswith(("from nnlite import widgets", "widgets.")) for line in lines)


# ----------------------------------------------------------------------------------------------
# Running one notebook (in a process of its own)


def run_one(notebook_path, log_path, cwd, timeout):
    """Execute a grading notebook in a fresh kernel, recording verdicts in ``log_path``.

    Returns a dict: "error" (None, or why the run stopped early) and "cell_errors" ({cell index:
    "Name: message"}). Runs in the process ``python -m tools.grade --run-one`` starts."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    nb = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,  # per cell
                            resources={"metadata": {"path": str(cwd)}})
    error = None
    try:
        client.execute()
    except DeadKernelError:
        error = "the kernel stopped (exit() or os._exit() outside a function, or a crash)"
    except Exception as exc:            # a timeout or anything else nbclient gives up on
        error = f"the notebook could not run to the end ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
    cell_errors = {}
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                cell_errors[index] = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"[:200]
    return {"error": error, "cell_errors": cell_errors}


def _limit_memory():
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass


def _run_isolated(notebook_path, log_path, cwd, timeout):
    """``run_one`` in a new process group, killed with its kernel after ``timeout`` + a margin."""
    result_path = Path(str(log_path) + ".result.json")
    env = dict(os.environ, NNLITE_GRADE_LOG=str(log_path), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    env.pop("NNLITE_GRADING", None)          # the checkers must not raise: the next exercise still runs
    command = [sys.executable, "-m", "tools.grade", "--run-one", str(notebook_path), str(log_path), str(cwd),
               str(timeout), str(result_path)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, preexec_fn=_limit_memory)
    try:
        process.wait(timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return {"error": f"the notebook ran past the time limit of {timeout:g} s and was stopped", "cell_errors": {}}
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)     # the kernel, if it outlived its client
        except (ProcessLookupError, PermissionError):
            pass
    try:
        return json.loads(result_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"error": "the notebook's process ended without a result (out of memory?)", "cell_errors": {}}


# ----------------------------------------------------------------------------------------------
# Grading a class


def submissions(folder):
    """[(student, [paths])] for every student folder, sorted."""
    folder = Path(folder)
    return [(entry.name, sorted(p for p in entry.iterdir() if p.is_file() and not p.name.startswith(".")))
            for entry in sorted(folder.iterdir()) if entry.is_dir() and not entry.name.startswith(".")]


def identify(path, course):
    """(chapter stem or None, notebook or None, note). The stamp decides; the file name is the fallback."""
    import nbformat

    name_match = path.stem if path.stem in course else None
    if path.suffix != ".ipynb":
        return name_match, None, f"{path.name} is not a notebook (.ipynb): hand in the notebook file"
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:
        return name_match, None, (f"{path.name} is not a readable notebook ({type(exc).__name__}); "
                                  "hand in the .ipynb file as Jupyter saved it")
    stamp = nb.metadata.get("nnlite")
    stamp = stamp.get("chapter") if isinstance(stamp, dict) else None
    if stamp in course:
        note = ""
        if name_match and name_match != stamp:
            note = f"the file is named {path.name} but holds chapter {stamp}; graded as {stamp}. "
        return stamp, nb, note
    if name_match:
        return name_match, nb, ""
    return None, nb, f"{path.name} is not one of the course's chapters (no chapter stamp, unknown name)"


def grade_class(folder, out_csv, timeout=TIMEOUT, jobs=None, root=ROOT, progress=True):
    """Grade every notebook under ``folder``; write the CSV and its summary; return the rows."""
    import nbformat

    course = chapters(root)
    masters = {stem: nbformat.read(info["path"], as_version=4) for stem, info in course.items()}
    rows, tasks = [], []
    work = Path(tempfile.mkdtemp(prefix="nnlite-grade-"))
    for student, paths in submissions(folder):
        if not paths:
            rows.append(_row(student, "", None, "error", 0, 0, "the folder is empty: nothing was handed in"))
            continue
        graded = set()
        for path in paths:
            stem, nb, note = identify(path, course)
            if stem is None or nb is None:
                rows.append(_row(student, stem or "", None, "error", 0,
                                 sum(_points(e) for e in course[stem]["exercises"]) if stem else 0, note))
                if stem:
                    graded.add(stem)
                continue
            if stem in graded:
                rows.append(_row(student, stem, None, "error", 0, 0,
                                 f"{path.name}: chapter {stem} was handed in twice; this copy was not graded"))
                continue
            graded.add(stem)
            notebook, notes = grading_notebook(masters[stem], nb)
            target = work / student / f"{stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, target)
            tasks.append((student, stem, target, notes, note))
    results = {}
    bar = None
    if progress and tasks:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(tasks), desc="grading", unit="notebook")
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = {pool.submit(_run_isolated, target, target.with_suffix(".jsonl"),
                               course[stem]["path"].parent, timeout): (student, stem)
                   for student, stem, target, _, _ in tasks}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    for student, stem, target, notes, note in tasks:
        rows += _exercise_rows(student, stem, course[stem], target, results[(student, stem)], notes, note)
    rows.sort(key=lambda r: (r["student"], r["chapter"], _exercise_key(r["exercise"])))
    _write(out_csv, rows)
    return rows


def _points(exercise):
    return exercise["points"] if exercise["points"] is not None else 1


def _exercise_key(number):
    return tuple(int(part) for part in number.split(".")) if number else ()


def _row(student, chapter, exercise, status, points, max_points, feedback):
    return {"student": student, "chapter": chapter, "exercise": exercise["number"] if exercise else "",
            "checker": exercise["checker"] if exercise else "", "status": status, "points": points,
            "max_points": max_points, "feedback": " ".join(str(feedback).split())}


def _exercise_rows(student, stem, chapter, notebook_path, result, notes, note):
    import nbformat

    log = notebook_path.with_suffix(".jsonl")
    verdicts = {}
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            verdicts.setdefault(record.get("checker"), record)     # the first run of each checker counts
    nb = nbformat.read(notebook_path, as_version=4)
    answers = _solution_cells(nb)
    checker_cells = {}
    for index, cell in enumerate(nb.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("-check"):
            checker_cells[grade_id[:-len("-check")]] = index
    cell_errors = {int(k): v for k, v in result.get("cell_errors", {}).items()}
    rows = []
    for exercise in chapter["exercises"]:
        name, most = exercise["checker"], _points(exercise)
        record = verdicts.get(name)
        prefix = note + (notes.get(name, "") + ". " if name in notes else "")
        if record is not None:
            status = record["status"] if record["status"] in ("passed", "failed", "not attempted") else "error"
            rows.append(_row(student, stem, exercise, status, most if status == "passed" else 0, most,
                             prefix + record["feedback"]))
            continue
        answer_error = cell_errors.get(answers.get(name, -1))
        check_error = cell_errors.get(checker_cells.get(name, -1))
        if answer_error:
            feedback = f"the answer cell could not run: {answer_error}"
        elif check_error:
            feedback = f"the checker could not run: {check_error}"
        elif result.get("error"):
            feedback = f"not reached: {result['error']}"
        else:
            feedback = "the checker left no verdict (was nnlite.check changed in the notebook?)"
        rows.append(_row(student, stem, exercise, "error", 0, most, prefix + feedback))
    return rows


def _write(out_csv, rows):
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with open(out_csv, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    totals = {}
    for row in rows:
        entry = totals.setdefault(row["student"], {"chapters": set(), "points": 0, "max_points": 0})
        if row["chapter"]:
            entry["chapters"].add(row["chapter"])
        entry["points"] += int(row["points"])
        entry["max_points"] += int(row["max_points"])
    summary = summary_path(out_csv)
    with open(summary, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        for student in sorted(totals):
            entry = totals[student]
            writer.writerow({"student": student, "chapters": " ".join(sorted(entry["chapters"])),
                             "points": entry["points"], "max_points": entry["max_points"]})


def summary_path(out_csv):
    out_csv = Path(out_csv)
    stem = out_csv.name[:-4] if out_csv.name.endswith(".csv") else out_csv.name
    return out_csv.with_name(f"{stem}_summary.csv")


# ----------------------------------------------------------------------------------------------


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--run-one":           # the per-notebook process
        notebook, log, cwd, timeout, result = argv[1:6]
        outcome = run_one(notebook, log, cwd, float(timeout))
        Path(result).write_text(json.dumps(outcome), encoding="utf-8")
        return 0
    parser = argparse.ArgumentParser(prog="python -m tools.grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", help="folder with one sub-folder per student")
    parser.add_argument("grades", help="the CSV to write (its summary goes beside it, *_summary.csv)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per notebook (default 300)")
    parser.add_argument("--jobs", type=int, default=None, help="notebooks at a time (default: one per core)")
    args = parser.parse_args(argv)
    folder = Path(args.submissions)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder. Pass SUBMISSIONS=DIR with one folder per student, "
              "DIR/<student>/<chapter>.ipynb.", file=sys.stderr)
        return 2
    if args.timeout <= 0:
        print("error: TIMEOUT must be a positive number of seconds.", file=sys.stderr)
        return 2
    started = time.monotonic()
    rows = grade_class(folder, args.grades, timeout=args.timeout, jobs=args.jobs)
    students = len({r["student"] for r in rows})
    print(f"Graded {students} students ({len(rows)} rows) in {time.monotonic() - started:.0f} s: "
          f"{args.grades} and {summary_path(args.grades)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
