"""The course bundle: one zip an instructor uploads to a JupyterHub or hands out for Colab.

    python -m tools.bundle [--out _build/bundle/nnlite-course.zip]       # what `make bundle` runs

The zip holds one folder::

    nnlite-course/README.md                          for students: what is here, how to install, how to work
    nnlite-course/nnlite-<version>-py3-none-any.whl  the course's nnlite, built from pyproject.toml
    nnlite-course/notebooks/NN_name.ipynb            the student notebooks (tools.editions)

The package called ``nnlite`` on the public package index is an unrelated project, so students install the
wheel shipped here (``pip install "nnlite-<version>-py3-none-any.whl[teach,data]"``), never ``nnlite`` by
name. The student notebooks are those of ``make student``: writing them runs every chapter once for the
numbers its prose quotes (a minute or two the first time, then cached in ``_build/.eval_cache``).

The wheel is built with ``pip wheel`` from a clean copy of the package sources (so nothing stale under the
repository's ``build/`` or ``*.egg-info`` ends up in it) and checked before it is zipped: every module and
every package-data file of the source tree is in it, and its metadata offers the ``teach`` and ``data``
extras the notebooks need.

The build is reproducible where that is cheap: entries in sorted order, fixed permissions, and every
timestamp (in the zip and in the wheel) set to ``SOURCE_DATE_EPOCH`` when the environment sets it, else to
the time of the last commit. The wheel's metadata still names the setuptools version that built it.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path("_build") / "bundle" / "nnlite-course.zip"      # relative to the root
TOP = "nnlite-course"                                               # the one folder inside the zip
EXTRAS = ("teach", "data")                                          # what the notebooks need beyond the core
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
FALLBACK_EPOCH = 1767225600                                         # 2026-01-01 00:00 UTC
ZIP_EPOCH_MIN = 315532800                                           # 1980-01-01: zip cannot store earlier
# Files at the root the build backend may read besides pyproject.toml and the readme it names.
BUILD_FILES = ("setup.py", "setup.cfg", "MANIFEST.in")
LICENSE_PATTERNS = ("LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")


class BundleError(RuntimeError):
    """The bundle cannot be built as promised; the message says what is wrong."""


# ----------------------------------------------------------------------------------------------
# The project and its wheel


def project(root=ROOT):
    """pyproject.toml's ``[project]`` table and setuptools' package data, as a dict."""
    data = tomllib.loads((Path(root) / "pyproject.toml").read_text(encoding="utf-8"))
    meta = data["project"]
    package_data = data.get("tool", {}).get("setuptools", {}).get("package-data", {})
    readme = meta.get("readme")
    if isinstance(readme, dict):
        readme = readme.get("file")
    return {"name": meta["name"], "version": meta["version"], "readme": readme,
            "extras": meta.get("optional-dependencies", {}), "package_data": package_data}


def wheel_name(meta):
    """The file name of a pure-Python wheel of the project."""
    return f"{re.sub(r'[-_.]+', '_', meta['name']).lower()}-{meta['version']}-py3-none-any.whl"


def source_date_epoch(root=ROOT):
    """Seconds since 1970 for every timestamp of the bundle: SOURCE_DATE_EPOCH, else the last commit's
    time, else a fixed date; never before 1980, which zip cannot store."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        try:
            value = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True,
                                   text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            value = ""
    try:
        epoch = int(value)
    except ValueError:
        epoch = FALLBACK_EPOCH
    return max(epoch, ZIP_EPOCH_MIN)


def stage_sources(root, target):
    """Copy what the build backend reads (pyproject.toml, readme, licences, the package) to ``target``."""
    root, target = Path(root), Path(target)
    meta = project(root)
    target.mkdir(parents=True, exist_ok=True)
    names = {"pyproject.toml", *BUILD_FILES}
    if meta["readme"]:
        names.add(meta["readme"])
    for pattern in LICENSE_PATTERNS:
        names.update(p.name for p in root.glob(pattern) if p.is_file())
    for name in sorted(names):
        if (root / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target / name)
    package = meta["name"]
    shutil.copytree(root / package, target / package, ignore=IGNORE)
    return target


def build_wheel(root=ROOT, out_dir=None, epoch=None):
    """Build the project's wheel into ``out_dir`` with ``pip wheel`` (an isolated build with the backend
    pyproject.toml asks for); returns its path."""
    root = Path(root)
    meta = project(root)
    epoch = source_date_epoch(root) if epoch is None else epoch
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "PIP_NO_INPUT": "1"}
    with tempfile.TemporaryDirectory(prefix="nnlite-wheel-") as tmp:
        source = stage_sources(root, Path(tmp) / "src")
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out_dir),
                   str(source)]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BundleError("pip could not build the nnlite wheel:\n" + (result.stdout + result.stderr)[-4000:])
    path = out_dir / wheel_name(meta)
    if not path.exists():
        found = sorted(p.name for p in out_dir.glob("*.whl"))
        raise BundleError(f"pip built {found or 'no wheel'}, not {path.name}: is nnlite still pure Python?")
    return path


def project_name(requirement):
    """The normalised project name a requirement starts with (``Matplotlib >= 3.8`` -> ``matplotlib``)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else requirement


def check_wheel(wheel, root=ROOT):
    """Raise BundleError unless ``wheel`` holds every module and package-data file of the source tree and
    its metadata offers the extras the notebooks need (teach, data) with pyproject's requirements."""
    root = Path(root)
    meta = project(root)
    package = meta["name"]
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        dist_info = f"{wheel_name(meta).split('-py3-')[0]}.dist-info"
        try:
            metadata = archive.read(f"{dist_info}/METADATA").decode("utf-8")
        except KeyError:
            raise BundleError(f"{Path(wheel).name} has no {dist_info}/METADATA.") from None
    problems = []
    modules = sorted(p.relative_to(root).as_posix() for p in (root / package).rglob("*.py")
                     if "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts)
    problems += [f"module {m} is missing" for m in modules if m not in names]
    for pkg, patterns in meta["package_data"].items():
        folder = root / pkg.replace(".", "/")
        for pattern in patterns:
            matches = sorted(p for p in folder.glob(pattern) if p.is_file())
            if not matches:
                problems.append(f"package data {pkg}:{pattern} matches no file in the source tree")
            problems += [f"package data {p.relative_to(root).as_posix()} is missing" for p in matches
                         if p.relative_to(root).as_posix() not in names]
    offered = set(re.findall(r"^Provides-Extra:\s*(\S+)\s*$", metadata, re.M))
    for extra in EXTRAS:
        if extra not in meta["extras"]:
            problems.append(f"pyproject.toml has no extra {extra!r} ([project.optional-dependencies])")
        elif extra not in offered:
            problems.append(f"the wheel's metadata does not offer the extra {extra!r}")
        else:
            listed = {project_name(line) for line in re.findall(r"^Requires-Dist:\s*(.+)$", metadata, re.M)
                      if re.search(rf"extra\s*==\s*[\"']{re.escape(extra)}[\"']", line)}
            for requirement in meta["extras"][extra]:
                if project_name(requirement) not in listed:
                    problems.append(f"the extra {extra!r} does not require {requirement!r}")
    if problems:
        raise BundleError(f"{Path(wheel).name} is incomplete:\n  - " + "\n  - ".join(problems))


# ----------------------------------------------------------------------------------------------
# The notebooks and the README


def check_notebooks(paths, root=ROOT):
    """Raise BundleError unless ``paths`` are exactly the student notebooks of every chapter, each free of
    solution markers and stamped with its chapter."""
    from tools.editions import chapter_notebooks

    expected = [p.name for p in chapter_notebooks(root)]
    got = sorted(Path(p).name for p in paths)
    if got != expected:
        raise BundleError(f"the student notebooks {got} are not the chapters {expected}")
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        for marker in SOLUTION_MARKERS:
            if marker in text:
                raise BundleError(f"{Path(path).name} still holds {marker!r}: a solution would be handed out.")
        stamp = json.loads(text).get("metadata", {}).get("nnlite", {})
        if stamp.get("chapter") != Path(path).stem or stamp.get("edition") != "student":
            raise BundleError(f"{Path(path).name} is stamped {stamp!r}, not as the student notebook of its chapter.")


def chapter_line(path):
    """``NN_name.ipynb``: its title (and estimated time), for the README's list."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    markdown = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in nb["cells"] if c["cell_type"] == "markdown"]
    text = "\n".join(markdown[:3])
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), Path(path).stem)
    time_match = re.search(r"Estimated time[.:]?\**[.:]?\s*([^\n*]+?)\.?\s*(?:\n|$)", text)
    number = int(Path(path).name[:2]) if Path(path).name[:2].isdigit() else None
    line = f"`notebooks/{Path(path).name}`: {f'{number}. ' if number else ''}{title}"
    return line + (f" (about {time_match.group(1).strip()})" if time_match else "")


def student_readme(meta, wheel, notebooks):
    """The README.md students find at the top of the bundle."""
    whl = Path(wheel).name
    extras = ",".join(EXTRAS)
    chapters = "\n".join(f"- {chapter_line(p)}" for p in sorted(notebooks, key=lambda p: Path(p).name))
    first = Path(sorted(notebooks, key=lambda p: Path(p).name)[0]).name
    return f"""# Layers and parameters: the course notebooks

This folder holds everything you need to work the course's exercises:

- `notebooks/`: one notebook per chapter. Each explains, shows code and figures, and ends with exercises:
  functions to write (where it says `# YOUR CODE HERE`) and questions to think through.
- `{whl}`: nnlite {meta['version']}, the small numpy library the chapters use.
- this README.

The chapters, in reading order:

{chapters}

You need Python 3.11 or newer (`python --version`).

## Install nnlite

Install the wheel in this folder, with its extras `{extras}` (plots and sliders; the MNIST-1D data set):

```bash
pip install "{whl}[{extras}]"
```

Run it in the folder that holds the wheel, or give the wheel's path (`"nnlite-course/{whl}[{extras}]"`).
The quotes keep the brackets away from your shell. The same in the form of a requirement, which needs the
full path: `pip install "nnlite[{extras}] @ file:///full/path/to/{whl}"`.

Do not run `pip install nnlite` on its own: the package of that name on the public package index is a
different project.

### In Google Colab

Colab opens one notebook at a time, each on a temporary machine of its own, so nnlite is installed once in
every Colab session:

1. Unzip `nnlite-course.zip` on your computer. In Colab choose *File → Upload notebook* and pick a chapter,
   say `notebooks/{first}`.
2. Open the *Files* panel (the folder icon on the left) and upload `nnlite-course.zip` into it.
3. Insert a code cell at the top of the notebook and run it:

   ```
   !unzip -q -o nnlite-course.zip
   %pip install -q "nnlite-course/{whl}[{extras}]"
   ```

   If pip ends with "You must restart the runtime" (Colab ships an older `ipywidgets`, which the sliders
   need newer), choose *Runtime → Restart session*.
4. *Runtime → Run all*.

Colab deletes uploaded files when it recycles the machine (after some idle time): in a new session, repeat
steps 2 and 3. Keep your work with *File → Save a copy in Drive*, and delete the install cell before you
hand the notebook in if your instructor asks for it. The sliders are made for JupyterLab and Notebook 7;
if one does not appear in Colab, the rest of the chapter is not affected.

### On a JupyterHub, or on your own computer with Jupyter

1. Put `nnlite-course.zip` in your home folder (JupyterLab: the *Upload* button of the file browser) and
   unzip it in a terminal (*File → New → Terminal*): `unzip nnlite-course.zip`. Where there is no
   `unzip`: `python -m zipfile -e nnlite-course.zip .`
2. Install nnlite into the Python your notebooks run on. In the terminal:

   ```bash
   python -m pip install "nnlite-course/{whl}[{extras}]"
   ```

   or, surer when a hub has several Pythons, in a cell of any notebook in `nnlite-course/notebooks/`:
   `%pip install "../{whl}[{extras}]"`, then *Kernel → Restart Kernel*. (If the hub's Python is shared and read-only, pip installs into your own
   folder and says so: that is fine.)
3. Open a chapter in `nnlite-course/notebooks/` and choose *Run → Run All Cells*.

On your own computer, a fresh environment keeps the course apart from everything else:

```bash
python -m venv course-env
source course-env/bin/activate        # Windows: course-env\\Scripts\\activate
pip install "{whl}[{extras}]" jupyterlab
jupyter lab notebooks/
```

## Working a chapter

Run the whole notebook first (*Run All*): it runs top to bottom before you have written anything. Then
read, and work the exercises as you reach them. A code exercise is a function whose body
says `# YOUR CODE HERE` and `raise NotImplementedError()`: replace both with your code and run the cell.
The cell below it checks your function, for example `relu = check.relu(relu)`, and prints a verdict:

- `⏳ relu: not attempted yet`: the function still raises `NotImplementedError`. This is what every
  checker prints before you start.
- `✅ relu: passed 5 checks.`: your function is used from here on.
- `❌ relu: ...` with a `Hint:`: what went wrong (a wrong value, shape or type, a changed input, an
  error or a time-out) and where to look. The answer is never shown.
- `⚠️ relu: the checker itself failed`: a problem in the course, not in your code: tell your instructor.

Whenever the verdict is not ✅ the notebook goes on with nnlite's own version ("Using nnlite's version so
the rest of the notebook runs"), so every later cell still works. The checks call your function on known
values and on random inputs of several shapes, and for a backward pass compare it with a numerical
gradient. Where the system can start a child process by forking (Linux and macOS: Colab and most hubs)
they run in one, with a time and memory limit, so a function that loops forever, calls `exit()` or eats
memory cannot freeze or crash your notebook. Where it cannot (Windows) they run in the notebook's own
process, with no such guard: if a check never finishes, use *Kernel → Interrupt*.

Questions to think through (exercises without a checker) are answered in your own words, in a Markdown
cell. Keep each notebook's file name when you hand it in.
"""


# ----------------------------------------------------------------------------------------------
# The zip


def write_zip(path, entries, epoch):
    """Write ``entries`` ({name inside the zip: bytes}) to ``path`` in sorted order, each with the time
    ``epoch``, mode 0644 and Unix as the creating system, so the same entries give the same bytes. Wheels
    (already compressed) are stored, the rest deflated. Written beside ``path`` first, then moved."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.gmtime(max(epoch, ZIP_EPOCH_MIN))[:6]
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".whl") else zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name], compresslevel=9 if info.compress_type else None)
    os.replace(partial, path)
    return path


def build_bundle(out=None, root=ROOT, progress=None, jobs=None):
    """Write the course bundle to ``out`` (default _build/bundle/nnlite-course.zip); returns its path.

    ``progress`` is called with a line of text before each long step; ``jobs`` is how many chapters are
    evaluated at once for the student notebooks (default: one per core)."""
    from tools.editions import write_student_notebooks

    root = Path(root)
    out = Path(out) if out else root / DEFAULT_OUT
    say = progress or (lambda line: None)
    meta = project(root)
    epoch = source_date_epoch(root)
    with tempfile.TemporaryDirectory(prefix="nnlite-bundle-") as tmp:
        tmp = Path(tmp)
        say("Writing the student notebooks (each chapter runs once for the numbers its text quotes) ...")
        notebooks = write_student_notebooks(tmp / "notebooks", root, jobs=jobs, progress=progress)
        check_notebooks(notebooks, root)
        say("Building the nnlite wheel ...")
        wheel = build_wheel(root, tmp / "wheel", epoch=epoch)
        check_wheel(wheel, root)
        entries = {f"{TOP}/notebooks/{Path(p).name}": Path(p).read_bytes() for p in notebooks}
        entries[f"{TOP}/{wheel.name}"] = wheel.read_bytes()
        entries[f"{TOP}/README.md"] = student_readme(meta, wheel, notebooks).encode("utf-8")
        return write_zip(out, entries, epoch)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.bundle", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / DEFAULT_OUT),
                        help=f"where to write the zip (default: {DEFAULT_OUT.as_posix()})")
    args = parser.parse_args(argv)
    from tools.editions import SolutionMarkerError
    from tools.evaluate import EvalError
    from tools.markdown import MystConversionError

    try:
        path = build_bundle(args.out, progress=lambda line: print(line, flush=True))
    except (BundleError, SolutionMarkerError, MystConversionError, EvalError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    count = sum(1 for n in names if n.endswith(".ipynb"))
    wheel = next((n.split("/")[-1] for n in names if n.endswith(".whl")), "?")
    print(f"Wrote {path} ({path.stat().st_size / 1024:.0f} KB): {count} student notebooks, {wheel}, README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
