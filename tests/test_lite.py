"""The browser edition (tools/lite.py): JupyterLite with the Pyodide kernel, serving the student notebooks.

Always (no browser): the build and its settings (Pyodide's URL and version as pinned, no fallback to the
public package index, a rebuild that changes the setting changes it and leaves nothing of the old one),
the nnlite wheel and the notebooks inside, the setup cell, the cache's checks, and that nothing the
chapters or nnlite import is missing from Pyodide.

End to end (browser): the offline edition, built from ``.lite-cache`` (``make lite-cache``; CI fills it),
served on 127.0.0.1; every chapter opened in Chromium, Run All, no error output, every code cell run,
its figures shown, its widget redrawn by the keyboard, and no request off 127.0.0.1. Chromium sends
everything that is not loopback to a refusing proxy that records it, so requests from the page, Pyodide's
web worker and the service worker are all seen; a control run of the CDN edition shows the proxy catching
Pyodide's CDN. ``NNLITE_LITE_CHAPTERS`` (``all``, the default, or a comma list of stems) selects chapters.
Screenshots and timings go to ``test-artifacts/frontends/lite-*``.
"""

import json
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tools import lite
from tools.lite import LiteError

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def selected_chapters():
    wanted = os.environ.get("NNLITE_LITE_CHAPTERS", "all").strip()
    if wanted.lower() == "all":
        return CHAPTERS
    stems = [s.strip().removesuffix(".ipynb") for s in wanted.split(",") if s.strip()]
    unknown = [s for s in stems if s not in CHAPTERS]
    if unknown:
        raise pytest.UsageError(f"NNLITE_LITE_CHAPTERS names no chapter: {unknown} (chapters: {CHAPTERS})")
    return stems


# ----------------------------------------------------------------------------------------------------
# Builds


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    """The student notebooks of ``python -m tools.editions student`` (cached values make it quick)."""
    out = tmp_path_factory.mktemp("lite-student")
    result = subprocess.run([sys.executable, "-m", "tools.editions", "student", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, start_new_session=True)
    if result.returncode != 0:
        pytest.fail("python -m tools.editions student failed:\n" + (result.stdout + result.stderr)[-4000:])
    return out


@pytest.fixture(scope="module")
def cdn_site(tmp_path_factory, student_dir):
    """The deployable edition: Pyodide from its CDN."""
    out = tmp_path_factory.mktemp("lite-cdn") / "lite"
    record = lite.build(out, "cdn", student_dir)
    return out, record


def _cache_or_skip():
    problems = lite.pyodide_problems()
    if problems:
        pytest.skip("the offline browser edition needs the Pyodide cache (make lite-cache): " + "; ".join(problems))


@pytest.fixture(scope="module")
def local_site(tmp_path_factory, student_dir, cdn_site):
    """The offline edition, built over a copy of the CDN edition's folder: the rebuild must take."""
    _cache_or_skip()
    out = tmp_path_factory.mktemp("lite-local") / "lite"
    shutil.copytree(cdn_site[0], out)
    record = lite.build(out, "local", student_dir)
    return out, record


def test_cdn_edition_settings(cdn_site):
    site, record = cdn_site
    settings = lite.site_settings(site)
    assert settings["pyodideUrl"] == lite.PYODIDE_CDN
    assert f"/v{lite.PYODIDE_VERSION}/" in settings["pyodideUrl"] and lite.PYODIDE_VERSION == "0.27.7"
    assert settings["disablePyPIFallback"] is True
    assert any(url.startswith("./pypi/all.json") for url in settings["pipliteUrls"])
    # Pyodide loads the kernel's start-up packages, numpy and matplotlib while it starts; the kernel skips
    # installing what is named here, so each name must be one the kernel knows and the lock lists
    preload = settings["loadPyodideOptions"]["packages"]
    assert set(preload) >= {"ssl", "sqlite3", "jedi", "ipython", "numpy", "matplotlib"}
    assert set(preload) <= set(lite.PYODIDE_PACKAGES) and set(preload) <= set(lite.read_lock(lite.LOCK)[0])
    assert not (site / "static" / "pyodide").exists()
    assert json.loads((site / "lite-build.json").read_text()) == record and record["pyodide"] == "cdn"


def test_the_site_serves_only_the_extensions_it_needs(cdn_site):
    config = json.loads((cdn_site[0] / "jupyter-lite.json").read_text())["jupyter-config-data"]
    assert sorted(e["name"] for e in config["federated_extensions"]) == sorted(lite.LAB_EXTENSIONS)


def test_nnlite_wheel_is_indexed_under_its_own_name(cdn_site):
    site, _ = cdn_site
    index = json.loads((site / "pypi" / "all.json").read_text())
    assert "nnlite" in index, f"the site's index has {sorted(index)}"
    (release,) = index["nnlite"]["releases"].values()
    wheel = site / "pypi" / Path(release[0]["url"]).name
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for module in ("nnlite/__init__.py", "nnlite/attention.py", "nnlite/data/digits.csv.gz"):
        assert module in names
    for name in ("ipywidgets", "jupyterlab-widgets", "comm", "tqdm", "mnist1d"):
        assert name in index, f"{name} is not in the site's wheel index"


def test_notebooks_are_the_student_notebooks_with_a_setup_cell(cdn_site, student_dir):
    import nbformat

    site, record = cdn_site
    assert record["notebooks"] == [f"{c}.ipynb" for c in CHAPTERS]
    for chapter in CHAPTERS:
        nb = nbformat.read(site / "files" / f"{chapter}.ipynb", as_version=4)
        student = nbformat.read(student_dir / f"{chapter}.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].metadata.get("tags") == [lite.SETUP_TAG], f"{chapter}: the first code cell is not the setup"
        assert len(nb.cells) == len(student.cells) + 1
        assert [c.source for c in nb.cells if lite.SETUP_TAG not in c.metadata.get("tags", [])] == \
            [c.source for c in student.cells]
        text = (site / "files" / f"{chapter}.ipynb").read_text()
        assert "myst_nb" not in text and "### BEGIN SOLUTION" not in text
        assert nb.metadata["nnlite"]["edition"] == "browser"


def test_setup_cell_installs_what_the_chapter_uses():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import nnlite as nl\nX = nl.datasets.mnist1d()")]
    assert lite.chapter_needs(nb) == ["nnlite", "mnist1d"]
    nb.cells.append(nbformat.v4.new_code_cell("from nnlite import plot, widgets\nwidgets.activation_explorer()"))
    assert lite.chapter_needs(nb) == ["nnlite", "matplotlib", "ipywidgets", "mnist1d"]
    assert 'piplite.install(["nnlite", "matplotlib", "ipywidgets", "mnist1d"])' in lite.setup_cell(
        lite.chapter_needs(nb)).source


def test_setup_cell_does_nothing_outside_the_browser():
    """Downloaded and run in a local kernel, the cell must not install the public index's unrelated nnlite."""
    import ast
    import asyncio

    source = lite.setup_cell(["nnlite"]).source
    code = compile(source, "<setup>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    namespace = {}
    result = eval(code, namespace)
    if asyncio.iscoroutine(result):
        asyncio.run(result)
    assert sys.platform != "emscripten" and "piplite" not in namespace


def test_setup_cell_in_pyodide(monkeypatch):
    """As Pyodide runs it: installs the chapter's packages, makes files the notebook writes readable (the
    umask starts at 0o777 there), and moves the notebook's folder to the end of the module search path."""
    import ast
    import asyncio
    import os
    import types

    installed = []

    async def install(names):
        installed.append(names)

    monkeypatch.setitem(sys.modules, "piplite", types.SimpleNamespace(install=install))
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr(sys, "path", ["", "/lib/python312.zip", "/lib/python3.12/site-packages"])
    old_umask = os.umask(0o777)
    try:
        code = compile(lite.setup_cell(["nnlite", "matplotlib"]).source, "<setup>", "exec",
                       flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        asyncio.run(eval(code, {}))
        umask = os.umask(old_umask)
    finally:
        os.umask(old_umask)
    assert installed == [["nnlite", "matplotlib"]]
    assert umask == 0o022
    assert sys.path == ["/lib/python312.zip", "/lib/python3.12/site-packages", ""]


def test_a_rebuild_switches_to_local_and_back(local_site, cdn_site, tmp_path, student_dir):
    site, record = local_site
    assert lite.site_settings(site)["pyodideUrl"] == lite.LOCAL_PYODIDE_URL == "./static/pyodide/pyodide.js"
    assert record["pyodide"] == "local" and (site / "static" / "pyodide" / "pyodide.asm.wasm").exists()
    served, info = lite.read_lock(site / "static" / "pyodide" / "pyodide-lock.json")
    official, official_info = lite.read_lock(lite.LOCK)
    assert info == official_info and info["version"] == lite.PYODIDE_VERSION
    # Pyodide's own entries, for exactly the packages the site carries (tqdm comes from the index instead)
    assert lite.lock_closure(official, lite.PYODIDE_PACKAGES) == set(served) and "tqdm" not in served
    assert all(official[name] == entry for name, entry in served.items())
    # and back: a CDN build over the offline one leaves no local Pyodide behind
    again = tmp_path / "lite"
    shutil.copytree(site, again)
    lite.build(again, "cdn", student_dir)
    assert lite.site_settings(again)["pyodideUrl"] == lite.PYODIDE_CDN
    assert not (again / "static" / "pyodide").exists()


def test_local_build_without_the_cache_stops_and_keeps_the_old_site(cdn_site, tmp_path, student_dir):
    site = tmp_path / "lite"
    shutil.copytree(cdn_site[0], site)
    before = (site / "jupyter-lite.json").read_text()
    with pytest.raises(LiteError, match="make lite-cache"):
        lite.build(site, "local", student_dir, cache=tmp_path / "empty-cache")
    assert (site / "jupyter-lite.json").read_text() == before


def test_unknown_pyodide_choice_is_refused():
    with pytest.raises(LiteError, match="use cdn .* or local"):
        lite.lite_config("auto")


def test_check_site_catches_a_changed_setting(cdn_site, tmp_path):
    site = tmp_path / "lite"
    shutil.copytree(cdn_site[0], site)
    record = json.loads((site / "lite-build.json").read_text())
    lite.check_site(site, record)
    config = json.loads((site / "jupyter-lite.json").read_text())
    settings = config["jupyter-config-data"]["litePluginSettings"][lite.KERNEL_PLUGIN]
    settings["pyodideUrl"] = "https://cdn.jsdelivr.net/pyodide/v0.27.6/full/pyodide.js"
    settings["disablePyPIFallback"] = False
    settings["loadPyodideOptions"]["packages"].append("ipykernel")  # the kernel's shim: not in Pyodide's lock
    (site / "jupyter-lite.json").write_text(json.dumps(config))
    with pytest.raises(LiteError) as error:
        lite.check_site(site, record)
    assert "pyodideUrl" in str(error.value) and "fallback" in str(error.value)
    assert "preload ipykernel" in str(error.value)


def test_cache_check_catches_a_changed_file(tmp_path):
    folder = lite.pyodide_dir(tmp_path)
    folder.mkdir(parents=True)
    (folder / "pyodide.js").write_text("the runtime")
    manifest = {"version": lite.PYODIDE_VERSION, "packages": sorted(lite.PYODIDE_PACKAGES),
                "files": {"pyodide.js": lite._sha256(folder / "pyodide.js")}}
    (folder / "cache.json").write_text(json.dumps(manifest))
    assert lite.pyodide_problems(tmp_path) == []
    (folder / "pyodide.js").write_text("another runtime")
    assert lite.pyodide_problems(tmp_path)
    assert lite.pyodide_problems(tmp_path / "nothing") == [f"{lite.pyodide_dir(tmp_path / 'nothing')} is not filled"]


def test_filled_cache_matches_the_repository_lock():
    _cache_or_skip()
    folder = lite.pyodide_dir()
    assert lite._sha256(folder / "pyodide-lock.json") == lite._sha256(lite.LOCK)
    packages, _ = lite.read_lock(lite.LOCK)
    for name in lite.lock_closure(packages, lite.PYODIDE_PACKAGES):
        entry = packages[name]
        assert lite._sha256(folder / entry["file_name"]) == entry["sha256"], entry["file_name"]


def test_the_books_page_tests_leave_the_browser_edition_out(tmp_path):
    """make lite puts the edition inside the book's site; the book's offline and accessibility tests must
    not walk into it (its CDN build asks Pyodide's CDN by design)."""
    from tests import test_accessibility, test_browser

    for rel in ("index.html", "chapters/01_neurons_and_layers.html", "lite/index.html", "lite/lab/index.html",
                "_static/x.html"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("<html></html>")
    for module in (test_accessibility, test_browser):
        assert module.book_pages(tmp_path) == ["chapters/01_neurons_and_layers.html", "index.html"]


# ----------------------------------------------------------------------------------------------------
# Imports


def _available():
    packages, info = lite.read_lock(lite.LOCK)
    assert info["version"] == lite.PYODIDE_VERSION
    return lite.browser_modules(packages, lite.fill_pypi())


def test_no_chapter_or_nnlite_module_imports_what_pyodide_lacks():
    imports = lite.course_imports()
    assert {"numpy", "matplotlib", "nnlite"} <= set(imports), sorted(imports)
    missing = lite.missing_in_browser(imports, _available())
    assert not missing, "imported but not available in the browser edition:\n" + "\n".join(
        f"  {name}: {', '.join(where[:4])}" for name, where in missing.items())


def test_import_check_flags_what_pyodide_lacks():
    imports = {"numpy": ["x"], "torch": ["ch.ipynb cell 3"], "tkinter": ["y"], "sklearn": ["z"]}
    assert sorted(lite.missing_in_browser(imports, _available())) == ["sklearn", "tkinter", "torch"]
    assert lite.imported_modules("import a.b\nfrom c.d import e\nfrom . import f\n%matplotlib inline\n") == {"a", "c"}


# ----------------------------------------------------------------------------------------------------
# End to end: every chapter in Chromium, offline


QUIET_CHROMIUM = ["--disable-component-update", "--disable-sync", "--no-first-run", "--no-pings",
                  "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                  "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter,Translate"]
# What Chromium itself may still ask for, never a page: its own services' hosts.
BROWSER_SERVICES = re.compile(r"^(CONNECT |\w+ https?://)([\w.-]+\.)?(googleapis\.com|google\.com|gvt1\.com)[:/]")


def page_requests(seen):
    """The proxy's lines that are not Chromium's own services."""
    return [line for line in seen if not BROWSER_SERVICES.match(line)]


class RefusingProxy:
    """An HTTP proxy on 127.0.0.1 that answers every request with 403 and records its target. Chromium,
    pointed at it, sends here whatever would leave the machine."""

    def __init__(self):
        seen = self.seen = []

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                line = self.rfile.readline(4096).decode("latin-1").strip()
                if line:
                    seen.append(line)
                self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class RecordingBrowser:
    """A browser whose new pages record the URL of every request they and their workers make."""

    def __init__(self, browser):
        self.browser, self.requests = browser, []

    def new_page(self, **options):
        page = self.browser.new_page(**options)
        page.on("request", lambda request: self.requests.append(request.url))
        return page


def test_only_the_browsers_own_services_are_set_aside():
    lines = ["CONNECT cdn.jsdelivr.net:443 HTTP/1.1", "CONNECT update.googleapis.com:443 HTTP/1.1",
             "POST http://update.googleapis.com/service/update2/json HTTP/1.1", "CONNECT accounts.google.com:443 HTTP/1.1",
             "GET http://example.org/google.com HTTP/1.1", "CONNECT files.example:443 HTTP/1.1"]
    assert page_requests(lines) == [lines[0], lines[4], lines[5]]


@pytest.fixture(scope="module")
def proxied_browser():
    """Chromium with every non-loopback request sent to a refusing, recording proxy."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    proxy = RefusingProxy()
    # Chromium never sends loopback addresses to a proxy; everything else goes to this one. The switches
    # quiet the browser's own services (autofill, component updates, sync), which are not the page's.
    args = CHROMIUM_ARGS + [f"--proxy-server=http://127.0.0.1:{proxy.port}", *QUIET_CHROMIUM]
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=args)
        chromium.proxy = proxy
        yield chromium
        chromium.close()
    proxy.close()


@pytest.fixture(scope="module")
def local_server(local_site):
    server = lite.SiteServer(local_site[0])
    yield server
    server.close()


@pytest.mark.browser
def test_proxy_catches_the_cdn_edition(proxied_browser, cdn_site):
    """The control: the CDN edition asks for Pyodide off the machine, and the proxy sees it."""
    server = lite.SiteServer(cdn_site[0])
    page = proxied_browser.new_page()
    try:
        proxied_browser.proxy.seen.clear()
        page.goto(server.url(f"{CHAPTERS[0]}.ipynb"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not page_requests(proxied_browser.proxy.seen):
            page.wait_for_timeout(250)
        seen = list(proxied_browser.proxy.seen)
    finally:
        page.close()
        server.close()
    assert any("cdn.jsdelivr.net" in line for line in seen), f"the proxy saw {seen}"


def chapter_pairs():
    """The selected chapters two by two: two pages run side by side (Pyodide uses one core each)."""
    chapters = selected_chapters()
    return [chapters[i:i + 2] for i in range(0, len(chapters), 2)]


@pytest.mark.browser
@pytest.mark.parametrize("chapters", chapter_pairs(), ids="+".join)
def test_chapters_run_in_the_browser(proxied_browser, local_server, local_site, chapters):
    """Run All in the offline browser edition: every cell run, no error, figures, widget, nothing off-machine."""
    from tests.test_notebook_frontends import (Notebook, _write_summary, check_common, check_figures,
                                               check_student_verdicts, check_widgets, read_notebook)

    site, _ = local_site
    proxied_browser.proxy.seen.clear()
    local_server.missing.clear()
    problems, runs = [], []
    try:
        for chapter in chapters:
            nb = read_notebook(site / "files" / f"{chapter}.ipynb")
            recording = RecordingBrowser(proxied_browser)
            runs.append((chapter, nb, recording, Notebook(recording, local_server, f"{chapter}.ipynb", len(nb.cells))))
        for chapter, nb, recording, notebook in runs:
            notebook.wait_for_kernel()
            notebook.start_run_all()
        for chapter, nb, recording, notebook in runs:
            label = f"browser edition {chapter}"
            chapter_problems, seen = [], []
            seconds = notebook.wait_until_done()
            records = notebook.collect()
            check_common(nb, records, chapter_problems, label)
            if len(records) == len(nb.cells):
                chapter_nb = read_notebook(ROOT / "chapters" / f"{chapter}.ipynb")
                seen.append(check_figures(chapter_nb, nb, records, chapter_problems, label))
                seen.append(check_student_verdicts(chapter_nb, nb, records, chapter_problems, label))
                seen.append(check_widgets(notebook, nb, chapter_problems, label, f"lite-{chapter}", key="End"))
            chapter_problems += [f"{label}: uncaught exception in the page: {e}" for e in notebook.page_errors]
            chapter_problems += [f"{label}: the page or its workers asked for {url}" for url in recording.requests
                                 if not url.startswith((local_server.base, "data:", "blob:"))]
            seen.append(f"run beside {' and '.join(c for c in chapters if c != chapter) or 'nothing'}")
            shot = notebook.screenshot(f"lite-{chapter}")
            _write_summary(f"lite-{chapter}", label, seconds, shot, seen, chapter_problems)
            problems += chapter_problems
        problems += [f"{'+'.join(chapters)}: the site could not answer {line}" for line in local_server.missing]
        problems += [f"{'+'.join(chapters)}: a request left 127.0.0.1: {line}"
                     for line in page_requests(proxied_browser.proxy.seen)]
    finally:
        for *_, notebook in runs:
            notebook.close()
    assert not problems, "\n".join(problems)
