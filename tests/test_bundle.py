"""The course bundle of ``make bundle`` (tools/bundle.py), as an instructor hands it out and a student uses it.

The slow tests build the bundle once per module (into a temporary folder; the student notebooks reuse
``_build/.eval_cache``), check what is in it, then unzip it, create a fresh virtual environment (no system
site-packages), install the bundled wheel with the extras students install (``<wheel>[teach,data]``) plus
``ipykernel nbclient nbformat`` from the package index (through pip's cache), and run chapter 1's student
notebook top to bottom in a kernel of that environment (a kernelspec installed into it, and a probe cell
that proves the kernel and nnlite are the new environment's). The fast tests check the zip writer and the
checks the build makes on the wheel and the notebooks, each on an input where they must object.
"""

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from tools import bundle
from tools.editions import chapter_notebooks

ROOT = Path(__file__).resolve().parent.parent
META = bundle.project(ROOT)
WHEEL = bundle.wheel_name(META)
TOP = bundle.TOP
CHAPTER = "01_neurons_and_layers"
KERNEL = "nnlite-bundle-test"
CHECKER_CELL = re.compile(r"^[ \t]*(?P<name>\w+)[ \t]*=[ \t]*(?:nl\.)?check\.(?P<checker>\w+)\([ \t]*(?P=name)[ \t]*\)",
                          re.M)
PROBE = """\
import importlib.metadata, importlib.util, json, sys
import nnlite as _nl
_digits = _nl.datasets.digits()
print("BUNDLE-PROBE " + json.dumps({
    "prefix": sys.prefix, "nnlite": _nl.__file__, "version": _nl.__version__,
    "digits": [list(_digits[0].shape), list(_digits[2].shape)],
    "ipywidgets": importlib.metadata.version("ipywidgets"),
    "mnist1d": importlib.util.find_spec("mnist1d") is not None}))
"""
# Run by the new environment's Python: execute a notebook with nbclient in the named kernel, with the
# probe above appended (in memory only), and save the executed copy.
RUNNER = """\
import sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient

source, target, kernel, probe = sys.argv[1:5]
nb = nbformat.read(source, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell(Path(probe).read_text()))
NotebookClient(nb, timeout=180, kernel_name=kernel, resources={"metadata": {"path": str(Path(source).parent)}}).execute()
nbformat.write(nb, target)
"""


def clean_env(**extra):
    """The environment for the new venv's processes: nothing that points back at the course's own venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_USER", "PIP_TARGET", "PIP_PREFIX",
                        "NNLITE_GRADING", "NNLITE_GRADE_LOG", "NNLITE_CHECK_ISOLATION", "MPLBACKEND")}
    return {**env, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1", **extra}


def run(command, timeout, **kwargs):
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert result.returncode == 0, (f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                                    f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def stream_text(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


# ----------------------------------------------------------------------------------------------
# The bundle as built


@pytest.fixture(scope="module")
def bundle_zip(tmp_path_factory):
    started = time.monotonic()
    path = bundle.build_bundle(tmp_path_factory.mktemp("bundle") / "nnlite-course.zip", ROOT)
    print(f"bundle built in {time.monotonic() - started:.1f} s")
    return path


@pytest.mark.slow
def test_listing(bundle_zip):
    """Every chapter's student notebook, the wheel and the README, in one folder, sorted, one timestamp."""
    with zipfile.ZipFile(bundle_zip) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        readme = archive.read(f"{TOP}/README.md").decode("utf-8") if f"{TOP}/README.md" in names else ""
    chapters = [p.name for p in chapter_notebooks(ROOT)]
    assert chapters, "no chapters found"
    expected = {f"{TOP}/README.md", f"{TOP}/{WHEEL}"} | {f"{TOP}/notebooks/{c}" for c in chapters}
    assert set(names) == expected
    assert names == sorted(names)
    assert len({i.date_time for i in infos}) == 1
    assert WHEEL.startswith(f"nnlite-{META['version']}-")
    for needed in (f'"{WHEEL}[teach,data]"', "Colab", "unzip", "not attempted", "✅", "❌", "child process"):
        assert needed in readme, f"the README does not mention {needed!r}"
    for chapter in chapters:
        assert f"notebooks/{chapter}" in readme


@pytest.mark.slow
def test_notebooks_hold_no_solutions_and_name_their_chapter(bundle_zip):
    with zipfile.ZipFile(bundle_zip) as archive:
        notebooks = {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".ipynb")}
    assert len(notebooks) == len(chapter_notebooks(ROOT))
    for name, text in notebooks.items():
        for marker in bundle.SOLUTION_MARKERS:
            assert marker not in text, f"{name} holds {marker!r}"
        stamp = json.loads(text)["metadata"].get("nnlite", {})
        assert stamp.get("chapter") == Path(name).stem, f"{name} is stamped {stamp}"
        assert stamp.get("edition") == "student"


@pytest.mark.slow
def test_wheel_carries_package_data_and_extras(bundle_zip, tmp_path):
    with zipfile.ZipFile(bundle_zip) as archive:
        wheel = tmp_path / WHEEL
        wheel.write_bytes(archive.read(f"{TOP}/{WHEEL}"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"nnlite-{META['version']}.dist-info/METADATA").decode("utf-8")
    data = sorted(p.relative_to(ROOT).as_posix() for pattern in ("*.csv.gz", "*.json")
                  for p in (ROOT / "nnlite" / "data").glob(pattern))
    assert any(d.endswith(".csv.gz") for d in data) and any(d.endswith(".json") for d in data)
    assert not [d for d in data if d not in names]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    for extra in ("teach", "data"):
        assert f"Provides-Extra: {extra}" in metadata
    bundle.check_wheel(wheel, ROOT)


@pytest.mark.slow
def test_chapter_runs_in_a_fresh_environment(bundle_zip, tmp_path):
    """Unzip, a new venv, `pip install "<wheel>[teach,data]"`, chapter 1 top to bottom in that venv's kernel:
    no error, and each checker says its stub is not attempted yet."""
    started = time.monotonic()
    with zipfile.ZipFile(bundle_zip) as archive:
        archive.extractall(tmp_path)
    course = tmp_path / TOP
    venv = tmp_path / "venv"
    # No pip inside the new venv: this venv's pip installs into it (--python), which saves bootstrapping
    # a second pip; byte-compiling on install (scipy is large) is left to the first import.
    run([sys.executable, "-m", "venv", "--without-pip", venv], timeout=300, env=clean_env())
    python = venv / "bin" / "python"
    if not python.exists():                                     # Windows
        python = venv / "Scripts" / "python.exe"
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    env = clean_env()
    wheel = course / WHEEL
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-compile"]
    run([*pip, f"{wheel.relative_to(course)}[teach,data]", "ipykernel", "nbclient", "nbformat"],
        timeout=900, env=env, cwd=course)
    # The README's other form of the same install resolves too (already satisfied: nothing is fetched).
    run([*pip, "--dry-run", f"nnlite[teach,data] @ {wheel.as_uri()}"], timeout=300, env=env, cwd=course)
    installed = time.monotonic()
    run([python, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL, "--display-name", KERNEL],
        timeout=120, env=env)
    (tmp_path / "runner.py").write_text(RUNNER)
    (tmp_path / "probe.py").write_text(PROBE)
    source = course / "notebooks" / f"{CHAPTER}.ipynb"
    executed = tmp_path / f"{CHAPTER}.executed.ipynb"
    run([python, tmp_path / "runner.py", source, executed, KERNEL, tmp_path / "probe.py"], timeout=600,
        env=clean_env(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1"), cwd=tmp_path)
    print(f"venv and install {installed - started:.1f} s, chapter run {time.monotonic() - installed:.1f} s")

    nb = nbformat.read(executed, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "a code cell did not run"
    probe = next(line for line in stream_text(code[-1]).splitlines() if line.startswith("BUNDLE-PROBE "))
    facts = json.loads(probe.split(" ", 1)[1])
    assert Path(facts["prefix"]).resolve() == venv.resolve(), "the kernel ran outside the new environment"
    assert Path(facts["nnlite"]).resolve().is_relative_to(venv.resolve()), "nnlite came from outside the wheel"
    assert facts["version"] == META["version"]
    assert facts["digits"] == [[1437, 64], [360, 64]], "the wheel's digits data did not load"
    assert facts["mnist1d"], "the data extra did not install mnist1d"
    assert int(facts["ipywidgets"].split(".")[0]) >= 8, "the teach extra did not install ipywidgets 8"

    checkers = []
    for cell in code[:-1]:
        for match in CHECKER_CELL.finditer(cell.source):
            checkers.append(match["checker"])
            text = stream_text(cell)
            assert re.search(rf"⏳\s*{match['checker']}: not attempted", text), \
                f"check.{match['checker']} printed {text!r}, not a 'not attempted' verdict"
            assert "❌" not in text and "⚠" not in text and "Traceback" not in text, text
    assert len(checkers) >= 3, f"chapter 1's checker cells were not found: {checkers}"


# ----------------------------------------------------------------------------------------------
# The pieces, on inputs where they must object


def test_zip_is_sorted_and_reproducible(tmp_path):
    entries = {f"{TOP}/notebooks/02_b.ipynb": b"{}", f"{TOP}/README.md": b"# hi\n", f"{TOP}/x-0-py3-none-any.whl": b"PK"}
    first = bundle.write_zip(tmp_path / "a.zip", entries, 1_700_000_000)
    second = bundle.write_zip(tmp_path / "b.zip", dict(reversed(list(entries.items()))), 1_700_000_000)
    assert first.read_bytes() == second.read_bytes()
    later = bundle.write_zip(tmp_path / "c.zip", entries, 1_800_000_000)
    assert later.read_bytes() != first.read_bytes()
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(entries)
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
    assert {i.filename: i.compress_type for i in infos}[f"{TOP}/x-0-py3-none-any.whl"] == zipfile.ZIP_STORED
    assert bundle.write_zip(tmp_path / "d.zip", entries, 0).exists()          # before 1980: clamped


def fake_wheel(path, skip=(), extras=("teach", "data"), drop_requirement=None):
    """A wheel-shaped zip with every module and package-data file of the source tree, less ``skip``, and
    metadata offering ``extras`` (less the requirement ``drop_requirement``)."""
    files = [p for p in (ROOT / "nnlite").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    metadata = f"Metadata-Version: 2.4\nName: nnlite\nVersion: {META['version']}\n"
    for extra in extras:
        metadata += f"Provides-Extra: {extra}\n" + "".join(
            f'Requires-Dist: {r}; extra == "{extra}"\n' for r in META["extras"].get(extra, []) if r != drop_requirement)
    with zipfile.ZipFile(path, "w") as archive:
        for p in files:
            name = p.relative_to(ROOT).as_posix()
            if name not in skip:
                archive.writestr(name, b"")
        archive.writestr(f"nnlite-{META['version']}.dist-info/METADATA", metadata)
    return path


def test_wheel_check_objects_to_missing_data_or_extras(tmp_path):
    bundle.check_wheel(fake_wheel(tmp_path / "whole.whl"), ROOT)               # a whole one passes
    digits = "nnlite/data/digits.csv.gz"
    with pytest.raises(bundle.BundleError, match=re.escape(digits)):
        bundle.check_wheel(fake_wheel(tmp_path / "no-data.whl", skip={digits}), ROOT)
    with pytest.raises(bundle.BundleError, match="nnlite/check/__init__.py"):
        bundle.check_wheel(fake_wheel(tmp_path / "no-check.whl", skip={"nnlite/check/__init__.py"}), ROOT)
    with pytest.raises(bundle.BundleError, match="extra 'data'"):
        bundle.check_wheel(fake_wheel(tmp_path / "no-extra.whl", extras=("teach",)), ROOT)
    widgets = next(r for r in META["extras"]["teach"] if r.startswith("ipywidgets"))
    with pytest.raises(bundle.BundleError, match="does not require 'ipywidgets"):
        bundle.check_wheel(fake_wheel(tmp_path / "no-widgets.whl", drop_requirement=widgets), ROOT)


def test_notebook_check_objects_to_solutions_and_missing_chapters(tmp_path):
    chapters = [p.name for p in chapter_notebooks(ROOT)]

    def write(folder, leak=None, drop=None):
        folder.mkdir()
        paths = []
        for name in chapters:
            if name == drop:
                continue
            source = ["x = 1\n", "### BEGIN SOLUTION\n" if name == leak else ""]
            nb = {"cells": [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [],
                             "execution_count": None}],
                  "metadata": {"nnlite": {"chapter": Path(name).stem, "edition": "student"}},
                  "nbformat": 4, "nbformat_minor": 5}
            paths.append(folder / name)
            paths[-1].write_text(json.dumps(nb), encoding="utf-8")
        return paths

    bundle.check_notebooks(write(tmp_path / "good"), ROOT)
    with pytest.raises(bundle.BundleError, match="BEGIN SOLUTION"):
        bundle.check_notebooks(write(tmp_path / "leak", leak=chapters[-1]), ROOT)
    with pytest.raises(bundle.BundleError, match="not the chapters"):
        bundle.check_notebooks(write(tmp_path / "short", drop=chapters[0]), ROOT)
