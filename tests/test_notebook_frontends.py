"""A chapter in JupyterLab with jupyterlab-myst, and its student notebook in Notebook 7 without it.

What a reader sees after opening a notebook and running all its cells, in headless Chromium:

- ``chapters/<chapter>.ipynb`` in JupyterLab with jupyterlab-myst (instructors, authors): MyST renders
  every markdown cell, with no role, directive fence or option line left as text; every ``{eval}``
  shows its value; no cell shows an error; every figure (a code cell with ``mystnb.figure`` metadata)
  shows its image; the chapter's widget redraws when one of its sliders moves by keyboard; every
  exercise checker prints a pass.
- the student notebook of the same chapter (``python -m tools.editions student``) in Notebook 7 with
  jupyterlab-myst disabled, as a student without the extension sees it: plain Markdown with no raw
  MyST, a number wherever the chapter has an ``{eval}``, the chapter's figures, every checker printing
  "not attempted" (the stubs raise NotImplementedError), no traceback, and every code cell run to the
  end. A control notebook first shows that MyST really is off there.

One chapter by default (``01_neurons_and_layers``: figures, ``{eval}`` numbers, a widget and exercises);
``NNLITE_FRONTEND_CHAPTERS=all``, or a comma list of chapter stems, tests more. ``NNLITE_STUDENT_NOTEBOOKS``
may name a folder of already generated student notebooks. Each server starts once per module, with its
own config, settings and workspace folders, and one Chromium serves every test. Screenshots of whole
notebooks go to ``test-artifacts/frontends/``.

The browser tests are skipped (with the reason) when Playwright, Chromium, JupyterLab, jupyterlab-myst
or Notebook 7 is missing; under NNLITE_STRICT=1 a skip is a failure. The plain tests at the end check
the detectors themselves on inputs where they must find something.
"""

import ast
import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests._jupyter import ANNOUNCEMENTS, JupyterServer

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "frontends"
DEFAULT_CHAPTERS = ("01_neurons_and_layers",)
RUN_TIMEOUT_MS = int(os.environ.get("NNLITE_FRONTEND_TIMEOUT", "300")) * 1000     # one notebook's Run All
LOAD_TIMEOUT_MS = 120_000
VIEWPORT = {"width": 1400, "height": 1000}
MAX_SCREENSHOT_HEIGHT = 32_000

# Announcements ask on first start whether to fetch news: a dialog over the notebook.
MYST_EXTENSION = "jupyterlab-myst"

# The verdicts nnlite.check prints (nnlite/check/_runner.py); test_verdict_markers_match_nnlite_check
# runs real checkers to keep these in step.
VERDICT = re.compile(r"^(?P<mark>✅|❌|⏳|⚠️?)\s*(?P<name>\w+):", re.M)
PASSED, FAILED, NOT_ATTEMPTED, CHECKER_BROKE = "✅", "❌", "⏳", "⚠"
CHECKER_CELL = re.compile(r"^[ \t]*(?P<name>\w+)[ \t]*=[ \t]*(?:nl\.)?check\.(?P<checker>\w+)\([ \t]*(?P=name)[ \t]*\)",
                          re.M)
EVAL_ROLE = re.compile(r"\{eval\}(?P<ticks>`+)(?P<expr>.+?)(?P=ticks)", re.S)
# Roles jupyterlab-myst renders (checked by hand in JupyterLab 4.4 with jupyterlab-myst 2.7). It shows any
# other role as its bare text with no trace on the page ({glue:text}`ch1_z` becomes "ch1_z"), so the JupyterLab
# test reads the roles from the chapter's source. Unknown directives do show: "<name> - Unknown Directive".
JUPYTERLAB_MYST_ROLES = {"term", "eval", "cite", "cite:p", "cite:t", "doc", "ref", "numref", "abbr", "math",
                         "sub", "sup", "kbd", "u", "del", "sc"}
ROLE_IN_SOURCE = re.compile(r"\{(?P<role>[A-Za-z][\w:.+-]*)\}`")
PLOT_CALL = re.compile(r"\bplot\.(?!use_style\b)\w+\(|\bplt\.(?:subplots|figure|plot|imshow)\(")
WIDGET_CALL = re.compile(r"\bwidgets\.\w+\(")
NUMBER = r"[-−+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?\s?%?"


def selected_chapters():
    """The chapter stems to test: NNLITE_FRONTEND_CHAPTERS (``all`` or a comma list), else chapter 1."""
    available = sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    wanted = os.environ.get("NNLITE_FRONTEND_CHAPTERS", "").strip()
    if wanted.lower() == "all":
        return available
    stems = [s.strip().removesuffix(".ipynb") for s in wanted.split(",") if s.strip()] or list(DEFAULT_CHAPTERS)
    unknown = [s for s in stems if s not in available]
    if unknown:
        raise pytest.UsageError(f"NNLITE_FRONTEND_CHAPTERS names no chapter: {unknown} (chapters: {available})")
    return stems


# ----------------------------------------------------------------------------------------------------
# What a notebook promises: read from the .ipynb


def read_notebook(path):
    import nbformat
    return nbformat.read(path, as_version=4)


def figure_cells(nb):
    """Indices of the code cells whose output is a book figure (``metadata.mystnb.figure``)."""
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and isinstance(c.metadata.get("mystnb"), dict)
            and c.metadata["mystnb"].get("figure")]


def plot_cells(nb):
    """Indices of the code cells that draw with nnlite.plot or pyplot (for a chapter without figure metadata)."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and PLOT_CALL.search(c.source)]


def checker_cells(nb):
    """[(cell index, function name)] for every ``name = check.name(name)`` line."""
    return [(i, m["name"]) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for m in CHECKER_CELL.finditer(c.source)]


def eval_roles(nb):
    """[(cell index, cell id, expression, source, start, end)] of every ``{eval}`` in a markdown cell."""
    return [(i, c.get("id"), m["expr"], c.source, m.start(), m.end())
            for i, c in enumerate(nb.cells) if c.cell_type == "markdown" for m in EVAL_ROLE.finditer(c.source)]


def caption_eval_roles(nb):
    """[(cell index, expression, caption, start, end)] of every ``{eval}`` in a figure caption."""
    found = []
    for i in figure_cells(nb):
        caption = nb.cells[i].metadata["mystnb"]["figure"].get("caption", "") or ""
        found += [(i, m["expr"], caption, m.start(), m.end()) for m in EVAL_ROLE.finditer(caption)]
    return found


def roles_jupyterlab_myst_cannot_render(nb):
    """[(cell index, role)] for roles in markdown cells that jupyterlab-myst would show as bare text."""
    return [(i, m["role"]) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
            for m in ROLE_IN_SOURCE.finditer(c.source) if m["role"] not in JUPYTERLAB_MYST_ROLES]


def names_bound_at_top_level(source):
    """The names a cell binds at module level: assignments, imports, for/with targets, defs, classes."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    bound = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            return                                  # their bodies have a scope of their own
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.NamedExpr):
            bound.add(node.target.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return bound


def eval_names_rebound_later(nb):
    """``{eval}`` expressions in markdown cells whose names a later code cell binds again.

    jupyterlab-myst evaluates a markdown cell's expressions when the cell is run, in the kernel's
    current state. Run All sends every code cell to the kernel first, so in JupyterLab each expression
    shows the value its names have at the END of the notebook. The book and the student notebooks
    show the value at the role's own place; the two agree only if no later cell rebinds the names.
    """
    problems = []
    for index, cell_id, expr, *_ in eval_roles(nb):
        try:
            used = {n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)}
        except SyntaxError:
            problems.append(f"cell {index}: {{eval}}`{expr}` is not a Python expression")
            continue
        for later in range(index + 1, len(nb.cells)):
            cell = nb.cells[later]
            if cell.cell_type != "code":
                continue
            again = used & names_bound_at_top_level(cell.source)
            if again:
                problems.append(f"cell {index}: {{eval}}`{expr}` uses {sorted(again)}, "
                                f"bound again in code cell {later}")
                break
    return problems


# ----------------------------------------------------------------------------------------------------
# Detectors, run on what the browser shows

_ROLE = re.compile(r"(?<![\\\w$])\{[A-Za-z][\w:.+-]*\}")              # {term}, {eval}, {glue:text}, {cite:p}
_FENCE = re.compile(r"^[ \t>]*(?:`{3,}|~{3,}|:{3,})[ \t]*\{[\w:.+-]+\}", re.M)  # ```{note}, :::{exercise}
_OPTION = re.compile(r"^[ \t>]*:[A-Za-z][\w-]*:(?=[ \t]|$)", re.M)          # :label: / :class: / :name: / :alt:
_TARGET = re.compile(r"^[ \t>]*\([^()\s]+\)=[ \t]*$", re.M)                 # (label)=


def raw_myst(text):
    """The raw MyST in rendered text: roles, directive fences, directive options, targets (a list).

    ``text`` is a rendered cell's prose (inline code and maths left out) followed by its code blocks,
    each written back as a fence with its language (a plain renderer turns ```{note} into a code block
    of language ``{note}``).
    """
    findings = []
    for kind, pattern in (("role", _ROLE), ("directive", _FENCE), ("directive option", _OPTION), ("target", _TARGET)):
        for m in pattern.finditer(text):
            line = text[text.rfind("\n", 0, m.start()) + 1:text.find("\n", m.end()) if "\n" in text[m.end():] else None]
            findings.append(f"{kind} {m.group(0).strip()!r} in {line.strip()[:100]!r}")
    return findings


def verdicts(text):
    """[(mark, name)] of the checker verdicts in an output: mark is ✅ ❌ ⏳ or ⚠."""
    return [(m["mark"][0], m["name"]) for m in VERDICT.finditer(text)]


_WORD = r"[A-Za-z][A-Za-z'’-]*"


def eval_anchor(source, start, end, value=None):
    """A regex that finds the rendered form of the ``{eval}`` role at ``source[start:end]``.

    The role's value (``value``, or any number) must sit between the plain words that surround the role
    in the source: up to two on each side, taken only where nothing but spaces separates them from the
    role. Returns None when no plain word touches the role (``$a =$ {eval}`a`.``): the empty-slot check
    covers those.
    """
    before = re.search(rf"((?:{_WORD}\s+){{1,2}})$", re.sub(r"\s+", " ", source[max(0, start - 80):start]))
    after = re.match(rf"^((?:\s+{_WORD}){{1,2}})", re.sub(r"\s+", " ", source[end:end + 80]))
    before = before.group(1).split() if before and source[start - 1:start].isspace() else []
    after = after.group(1).split() if after and source[end:end + 1].isspace() else []
    if not before and not after:
        return None
    middle = re.escape(value) if value is not None else NUMBER
    head = r"\b" + r"\s+".join(map(re.escape, before)) + r"\s+" if before else r"(?<![\w.])"
    tail = r"\s+" + r"\s+".join(map(re.escape, after)) + r"\b" if after else r"(?![\w.]*\d)"
    return re.compile(f"{head}(?P<value>{middle}){tail}")


# The rendered notebook, one record per cell, read in one pass. ``prose`` leaves out inline code, code
# blocks and maths (for the raw-MyST check: TeX has braces); ``words`` keeps the maths' text (TeX or
# MathML) in its place (for finding numbers). Every maths that ends in "=" records the text that follows
# it, for the empty-slot check.
COLLECT_JS = r"""
() => {
  const MATH = 'mjx-container, .MathJax, .MathJax_Display, .katex, .katex-display, .math';
  const mathText = el => {
    const tex = el.querySelector('annotation[encoding="application/x-tex"]');
    if (tex) return tex.textContent;
    const mml = el.querySelector('mjx-assistive-mml, math');
    if (mml) return mml.textContent;
    return el.getAttribute('aria-label') || el.textContent || '';
  };
  const prose = (root, withMaths) => {
    const out = [];
    const walk = node => {
      if (node.nodeType === Node.TEXT_NODE) { out.push(node.nodeValue); return; }
      if (node.nodeType !== Node.ELEMENT_NODE) return;
      if (node.matches(MATH)) { out.push(withMaths ? ' ' + mathText(node) + ' ' : ' '); return; }
      if (node.matches('pre')) { out.push('\n'); return; }
      if (node.matches('code')) { out.push(' '); return; }
      const style = getComputedStyle(node);
      if (style.display === 'none' || style.visibility === 'hidden') return;
      const block = !style.display.startsWith('inline');
      if (node.tagName === 'BR' || block) out.push('\n');
      node.childNodes.forEach(walk);
      if (block) out.push('\n');
    };
    walk(root);
    return out.join('').replace(/[ \t\u00a0]+/g, ' ').replace(/\n\s*\n+/g, '\n');
  };
  const followingText = el => {
    const block = el.closest('p, li, td, th, blockquote, h1, h2, h3, h4, h5, h6, div') || el.parentElement;
    const range = document.createRange();
    range.setStartAfter(el.closest('.katex, mjx-container, .MathJax') || el);
    range.setEnd(block, block.childNodes.length);
    return range.toString().slice(0, 40);
  };
  return [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map((cell, index) => {
    const kind = cell.classList.contains('jp-MarkdownCell') ? 'markdown'
               : cell.classList.contains('jp-CodeCell') ? 'code' : 'raw';
    const record = {index, kind};
    if (kind === 'markdown') {
      const myst = cell.querySelector('.myst');
      const plain = cell.querySelector('.jp-RenderedMarkdown');
      const rendered = myst || plain;
      record.renderer = myst ? 'myst' : plain ? 'markdown' : null;
      record.prose = rendered ? prose(rendered, false) : '';
      record.words = rendered ? prose(rendered, true) : '';
      record.text = rendered ? rendered.innerText : '';
      record.blocks = rendered ? [...rendered.querySelectorAll('pre')].map(pre => {
        const code = pre.querySelector('code');
        const lang = code ? ((code.className.match(/language-(\S+)/) || [])[1] || '') : '';
        return {lang, text: pre.innerText};
      }) : [];
      record.unevaluated = rendered ? [...rendered.querySelectorAll('code')].map(c => c.textContent) : [];
      const maths = rendered ? [...rendered.querySelectorAll('.katex, mjx-container')] : [];
      record.maths = maths.map(m => ({text: mathText(m), next: followingText(m)}));
      record.rawDollar = rendered ? (rendered.textContent.match(/\$[^$\n]*=\s*\$[^\n]{0,30}/g) || []) : [];
    } else if (kind === 'code') {
      const prompt = cell.querySelector('.jp-InputPrompt');
      record.prompt = prompt ? prompt.textContent.trim() : '';
      record.outputs = [...cell.querySelectorAll('.jp-OutputArea-output')].map(out => ({
        mime: out.getAttribute('data-mime-type') || '',
        text: out.innerText.slice(0, 4000),
        images: [...out.querySelectorAll('img')].filter(img => !img.closest('.nnlite-widget'))
                  .map(img => ({w: img.naturalWidth, h: img.naturalHeight, shown: img.getClientRects().length > 0})),
      }));
      record.widgets = cell.querySelectorAll('.nnlite-widget').length;
    }
    return record;
  });
}
"""

SHOWN_ALTS_JS = """root => [...root.querySelectorAll('img.nnlite-frame')]
    .filter(img => img.getClientRects().length > 0).map(img => img.getAttribute('alt'))"""


def rendered_myst_text(record):
    """A markdown record's prose, then its code blocks written back as fences (for raw_myst)."""
    blocks = "".join(f"\n```{b['lang']}\n{b['text']}\n```" for b in record.get("blocks", []))
    return record.get("prose", "") + blocks


def empty_slots(record):
    """Maths ending in "=" with no number after it (``$z =$`` followed by nothing): a lost value."""
    found = []
    for math in record.get("maths", []):
        text = re.sub(r"\s+", "", math["text"])
        if text.endswith("=") and not re.match(rf"\s*{NUMBER}", math["next"]):
            found.append(f"{math['text'].strip()!r} followed by {math['next'][:30]!r}")
    for raw in record.get("rawDollar", []):                 # maths that was never typeset
        if not re.match(rf"\$[^$]*=\s*\$\s*{NUMBER}", raw):
            found.append(f"untypeset {raw!r}")
    return found


def stderr_problems(record):
    """Error outputs and tracebacks in a code cell's outputs."""
    problems = []
    for out in record.get("outputs", []):
        if out["mime"] == "application/vnd.jupyter.stderr" and (
                "Traceback" in out["text"] or re.search(r"^\w*(Error|Exception)\b", out["text"], re.M)):
            problems.append(out["text"][:600])
    return problems


def image_count(record):
    return sum(1 for out in record.get("outputs", []) if out["mime"].startswith("image/")
               for img in out["images"] if img["w"] > 0 and img["shown"])


def output_text(record):
    return "\n".join(out["text"] for out in record.get("outputs", []) if not out["mime"].startswith("image/"))


# ----------------------------------------------------------------------------------------------------
# Servers, browser, pages


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab with jupyterlab-myst on, announcements off; the chapters are copied into its root."""
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed (it is in requirements.txt)")
    pytest.importorskip("jupyterlab_myst", reason="jupyterlab-myst is not installed (it is in requirements.txt)")
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "root"
    (root / "chapters").mkdir(parents=True)
    for stem in selected_chapters():
        shutil.copy2(ROOT / "chapters" / f"{stem}.ipynb", root / "chapters")
    server = JupyterServer("lab", root, home, disabled=[ANNOUNCEMENTS]).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def student_notebooks(tmp_path_factory):
    """The student notebooks, generated by ``python -m tools.editions student`` into a temporary folder
    (or NNLITE_STUDENT_NOTEBOOKS, a folder generated before). Started at once, waited for on use."""
    prebuilt = os.environ.get("NNLITE_STUDENT_NOTEBOOKS")
    if prebuilt:
        yield lambda: Path(prebuilt)
        return
    out = tmp_path_factory.mktemp("student")
    log = out.parent / "editions.log"
    with open(log, "wb") as handle:                     # its own process group: it starts kernels
        process = subprocess.Popen([sys.executable, "-m", "tools.editions", "student", "--out", str(out)], cwd=ROOT,
                                   stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)

    def wait():
        if process.wait(timeout=900) != 0:
            pytest.fail("python -m tools.editions student failed:\n" + log.read_text(errors="replace")[-4000:])
        return out

    yield wait
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory, student_notebooks):
    """Notebook 7 with jupyterlab-myst and announcements disabled, serving the student notebooks."""
    notebook = pytest.importorskip("notebook", reason="Notebook 7 is not installed "
                                   "(notebook>=7.2 is in requirements.txt)")
    major = int(getattr(notebook, "__version__", "0").split(".")[0])
    if major < 7:
        pytest.skip(f"notebook {notebook.__version__} is installed; these tests need Notebook 7")
    home = tmp_path_factory.mktemp("notebook7")
    root = home / "root"
    (root / "student").mkdir(parents=True)
    _write_control_notebook(root / "control.ipynb")
    server = JupyterServer("notebook", root, home, disabled=[MYST_EXTENSION, ANNOUNCEMENTS])
    server.student_source = student_notebooks          # a callable: waits for the notebooks on first use
    server.start()
    yield server
    server.stop()


CONTROL_MARKDOWN = """# Control

```{admonition} A MyST admonition
:class: tip

A {term}`neuron` in a box.
```

Left empty: $x =$ and then words. Filled: $y =$ 3.5 and then words.
"""


def _write_control_notebook(path):
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(CONTROL_MARKDOWN), nbformat.v4.new_code_cell("1 + 1")]
    nbformat.write(nb, path)


class Notebook:
    """One notebook open in a front end: run it, read what it shows, take screenshots."""

    def __init__(self, browser, server, path, expected_cells):
        self.server, self.path, self.expected_cells = server, path, expected_cells
        self.page = browser.new_page(viewport=VIEWPORT)
        self.page_errors = []
        self.page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        self.page.goto(server.url(path))
        self.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=LOAD_TIMEOUT_MS)
        with contextlib.suppress(Exception):           # a shortfall is reported by check_common
            self.page.wait_for_function(
                f"document.querySelectorAll('.jp-Notebook .jp-Cell').length >= {expected_cells}", timeout=15_000)

    def dialogs(self):
        return [d.inner_text()[:300] for d in self.page.locator(".jp-Dialog").all() if d.is_visible()]

    def wait_for_kernel(self):
        """Wait until the kernel is idle. A dialog instead (Select Kernel, for a notebook without a
        kernelspec; news) fails the test: a reader would have to answer it first."""
        # the indicator's state, not its visibility: JupyterLite's notebook app keeps the indicator hidden
        idle = ("() => { const i = document.querySelector('.jp-Notebook-ExecutionIndicator');"
                " return !!i && i.dataset.status === 'idle'; }")
        self.page.wait_for_function(f"() => ({idle})() || !!document.querySelector('.jp-Dialog')",
                                    timeout=LOAD_TIMEOUT_MS, polling=100)
        self.page.wait_for_timeout(500)
        dialogs = self.dialogs()
        if dialogs:
            self.screenshot(f"dialog-{Path(self.path).stem}")
            pytest.fail(f"{self.path}: a dialog is open after loading: {dialogs}")
        self.page.wait_for_function(idle, timeout=LOAD_TIMEOUT_MS, polling=100)

    def run_all(self):
        """Run → Run All Cells, then wait until the kernel is idle and no cell is queued, twice in a row."""
        self.start_run_all()
        return self.wait_until_done()

    def start_run_all(self):
        """Run → Run All Cells, without waiting (pages in one browser can run side by side)."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        self.started = time.monotonic()

    def wait_until_done(self):
        """Wait until the kernel is idle and no cell is queued, twice in a row; seconds since Run All."""
        done = """() => {
          const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
          const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
          return indicator && indicator.dataset.status === 'idle' && !prompts.some(p => p.includes('*'))
                 && prompts.some(p => /\\d/.test(p));
        }"""
        for _ in range(2):
            self.page.wait_for_function(done, timeout=RUN_TIMEOUT_MS, polling=250)
            self.page.wait_for_timeout(1500)           # markdown expressions, late outputs, MathJax
        return time.monotonic() - self.started

    def collect(self):
        return self.page.evaluate(COLLECT_JS)

    def save(self):
        """Save the notebook (its copy in the server's root): Ctrl+S in the notebook."""
        self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Control+s")

    def screenshot(self, name):
        """The whole notebook in one image: the viewport grows to the notebook's scroll height."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        extra = self.page.evaluate("""() => {
          const s = [...document.querySelectorAll('.jp-WindowedPanel-outer, #main-panel, .jp-NotebookPanel-notebook')]
                      .find(e => e.scrollHeight > e.clientHeight + 1);
          if (!s) return 0;
          s.scrollTop = 0;
          return s.scrollHeight - s.clientHeight;
        }""")
        height = min(VIEWPORT["height"] + extra + 20, MAX_SCREENSHOT_HEIGHT)
        self.page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        self.page.wait_for_timeout(800)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size(VIEWPORT)
        return path

    def move_widget_slider(self, name, key):
        """Focus the first slider of the first nnlite widget and press ``key``. Returns the alt texts of the
        frames shown before and after."""
        widget = self.page.locator(".nnlite-widget").first
        widget.wait_for(timeout=60_000)
        widget.scroll_into_view_if_needed()
        widget.locator("img.nnlite-frame").first.wait_for(state="attached", timeout=60_000)
        before = widget.evaluate(SHOWN_ALTS_JS)
        widget.screenshot(path=str(ARTIFACTS / f"{name}-widget-before.png"))
        handle = widget.locator(".noUi-handle").first
        handle.focus()
        self.page.keyboard.press(key)
        with contextlib.suppress(Exception):            # an unchanged figure is reported by the caller
            self.page.wait_for_function(
                f"() => JSON.stringify(({SHOWN_ALTS_JS})(document.querySelector('.nnlite-widget'))) "
                f"!== {json.dumps(json.dumps(before))}", timeout=15_000)
        after = widget.evaluate(SHOWN_ALTS_JS)
        widget.screenshot(path=str(ARTIFACTS / f"{name}-widget-after.png"))
        return before, after

    def close(self):
        self.page.close()
        with contextlib.suppress(Exception):
            self.server.shut_down_kernels()


# ----------------------------------------------------------------------------------------------------
# Checks shared by both front ends


def _write_summary(name, label, seconds, shot, seen, problems):
    """What a run checked, beside its screenshot: test-artifacts/frontends/<name>.txt."""
    lines = [label, f"Run All: {seconds:.0f} s", f"screenshot: {shot.relative_to(ROOT)}", "checked:"]
    lines += [f"  {item}" for item in seen] + ["problems:"] + [f"  {p}" for p in problems or ["none"]]
    (ARTIFACTS / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def check_common(nb, records, problems, label):
    """Cell count, every code cell run, no error output, no raw MyST, no empty slot. Appends to problems."""
    if len(records) != len(nb.cells):
        problems.append(f"{label}: the page shows {len(records)} cells, the notebook has {len(nb.cells)}")
        return
    for i, (cell, rec) in enumerate(zip(nb.cells, records)):
        if cell.cell_type != rec["kind"]:
            problems.append(f"{label} cell {i}: a {cell.cell_type} cell shows as {rec['kind']}")
            continue
        if rec["kind"] == "markdown":
            for finding in raw_myst(rendered_myst_text(rec)):
                problems.append(f"{label} cell {i}: raw MyST: {finding}")
            for slot in empty_slots(rec):
                problems.append(f"{label} cell {i}: a value is missing after {slot}")
        elif rec["kind"] == "code":
            if cell.source.strip() and not re.fullmatch(r"\[\d+\]:", rec["prompt"]):
                problems.append(f"{label} cell {i}: not run (prompt {rec['prompt']!r}): {cell.source[:80]!r}")
            for text in stderr_problems(rec):
                problems.append(f"{label} cell {i}: error output:\n    " + text.replace("\n", "\n    "))


def check_figures(chapter_nb, nb, records, problems, label):
    """Every figure cell shows an image, and the notebook shows as many images as the chapter has figures."""
    expected = figure_cells(chapter_nb)
    shown = {i: image_count(rec) for i, rec in enumerate(records) if rec["kind"] == "code" and image_count(rec)}
    total = sum(shown.values())
    own = figure_cells(nb)
    for i in own:
        if not shown.get(i):
            name = nb.cells[i].metadata["mystnb"]["figure"].get("name")
            problems.append(f"{label} cell {i}: a figure cell (mystnb.figure {name!r}) shows no image")
    if expected:
        if total != len(expected):
            where = ", ".join(f"cell {i} ({n}, tags {nb.cells[i].metadata.get('tags', [])})" for i, n in shown.items())
            problems.append(f"{label}: {total} images shown, but the chapter has {len(expected)} figures "
                            f"(code cells with mystnb.figure metadata); images in: {where or 'none'}")
    else:
        plots = plot_cells(chapter_nb)
        if total < len(plots):
            problems.append(f"{label}: {total} images shown, fewer than the chapter's {len(plots)} plotting cells "
                            "(the chapter has no mystnb.figure metadata yet)")
    return f"{total} images for {len(expected)} figures"


def check_widgets(notebook, nb, problems, label, name, key="ArrowRight"):
    """The notebook's nnlite widget is shown, and its first slider, moved by ``key``, changes the figure."""
    if not any(c.cell_type == "code" and WIDGET_CALL.search(c.source) for c in nb.cells):
        return "no widget"
    if notebook.page.locator(".nnlite-widget").count() == 0:
        problems.append(f"{label}: the notebook builds a widget, but no .nnlite-widget is shown")
        return "no widget shown"
    before, after = notebook.move_widget_slider(name, key)
    if before == after and key in ("ArrowRight", "End"):
        # a slider that starts at its end (chapter 10's query, on the last word) moves the other way
        key = {"ArrowRight": "ArrowLeft", "End": "Home"}[key]
        before, after = notebook.move_widget_slider(name, key)
    if len(before) != 1 or len(after) != 1:
        problems.append(f"{label}: the widget should show one frame; it showed {before} before and {after} after "
                        "moving its first slider")
    elif before == after:
        problems.append(f"{label}: moving the widget's first slider with {key} did not change its figure "
                        f"(alt stays {before[0]!r})")
    return f"widget alt {before} -> {after} ({key})"


# ----------------------------------------------------------------------------------------------------
# JupyterLab with jupyterlab-myst: the chapters

LAB_EVAL_VALUES = {}          # (chapter, cell id, expression) -> value JupyterLab showed; read by the Notebook 7 test


def _unquote(text):
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def _saved_user_expressions(path, nb, timeout=20):
    """After Ctrl+S: {cell index: [(expression, status, text/plain)]} from the saved chapter copy, and
    whether the copy was saved at all (it has outputs)."""
    want = {i for i, *_ in eval_roles(nb)}
    deadline = time.monotonic() + timeout
    found, has_outputs = {}, False
    while time.monotonic() < deadline:
        try:
            saved = read_notebook(path)
        except Exception:
            time.sleep(0.3)
            continue
        found = {}
        for i, cell in enumerate(saved.cells):
            entries = cell.metadata.get("user_expressions")
            if cell.cell_type == "markdown" and entries:
                found[i] = [(e.get("expression"), e.get("result", {}).get("status"),
                             _unquote(str(e.get("result", {}).get("data", {}).get("text/plain", "")))) for e in entries]
        has_outputs = any(c.get("outputs") for c in saved.cells if c.cell_type == "code")
        if has_outputs and want <= set(found):
            break
        time.sleep(0.3)
    return found, has_outputs


@pytest.mark.browser
@pytest.mark.parametrize("chapter", selected_chapters())
def test_chapter_in_jupyterlab(browser, lab, request, chapter):
    """Run All in JupyterLab with jupyterlab-myst: MyST rendered, values shown, figures, widget, passes."""
    if any("notebook7" in item.name for item in request.session.items):
        request.getfixturevalue("student_notebooks")    # start generating them now, in parallel
    path = f"chapters/{chapter}.ipynb"
    nb = read_notebook(ROOT / path)
    label = f"JupyterLab {chapter}"
    notebook = Notebook(browser, lab, path, len(nb.cells))
    problems, seen = [], []
    try:
        notebook.wait_for_kernel()
        seconds = notebook.run_all()
        records = notebook.collect()
        notebook.save()
        check_common(nb, records, problems, label)
        if len(records) == len(nb.cells):
            for i, rec in enumerate(records):
                if rec["kind"] == "markdown" and rec["renderer"] != "myst":
                    problems.append(f"{label} cell {i}: not rendered by jupyterlab-myst (renderer {rec['renderer']})")
                if rec["kind"] == "markdown" and "Unknown Directive" in rec["text"]:
                    line = next(l for l in rec["text"].splitlines() if "Unknown Directive" in l)
                    problems.append(f"{label} cell {i}: jupyterlab-myst does not know a directive: {line.strip()!r}")
            for i, role in roles_jupyterlab_myst_cannot_render(nb):
                problems.append(f"{label} cell {i}: jupyterlab-myst shows {{{role}}} as its bare text (it renders "
                                f"only {sorted(JUPYTERLAB_MYST_ROLES)})")
            seen.append(f"{sum(r['renderer'] == 'myst' for r in records if r['kind'] == 'markdown')} MyST cells")
            seen.append(check_figures(nb, nb, records, problems, label))
            # every checker passes with the chapter's solutions
            for i, name in checker_cells(nb):
                marks = verdicts(output_text(records[i]))
                seen.append(f"check.{name} {marks}")
                if (PASSED, name) not in marks or any(m != PASSED for m, _ in marks):
                    problems.append(f"{label} cell {i}: check.{name} should print a pass; it printed "
                                    f"{output_text(records[i])[:300]!r}")
            # every {eval} evaluated, and its value shown where the role was
            saved, was_saved = _saved_user_expressions(lab.root / path, nb)
            if eval_roles(nb) and not was_saved:
                problems.append(f"{label}: Ctrl+S did not save the notebook, so its {{eval}} results cannot be read")
            for i, cell_id, expr, source, start, end in eval_roles(nb):
                got = {e: (status, value) for e, status, value in saved.get(i, [])}
                if expr not in got:
                    problems.append(f"{label} cell {i}: {{eval}}`{expr}` was not evaluated (no user_expressions "
                                    "in the saved notebook)")
                    continue
                status, value = got[expr]
                if status != "ok" or not value.strip():
                    problems.append(f"{label} cell {i}: {{eval}}`{expr}` gave status {status!r}, value {value!r}")
                    continue
                LAB_EVAL_VALUES[(chapter, cell_id, expr)] = value
                seen.append(f"{{eval}} {value}")
                if expr in records[i]["unevaluated"]:
                    problems.append(f"{label} cell {i}: {{eval}}`{expr}` shows as code, not as its value")
                if value not in records[i]["words"]:
                    problems.append(f"{label} cell {i}: {{eval}}`{expr}` = {value!r} is not in the rendered text "
                                    f"{records[i]['words'][:300]!r}")
            seen.append(check_widgets(notebook, nb, problems, label, f"lab-{chapter}"))
        problems += [f"{label}: uncaught exception in the page: {e}" for e in notebook.page_errors]
        shot = notebook.screenshot(f"lab-{chapter}")
        _write_summary(f"lab-{chapter}", label, seconds, shot, seen, problems)
    finally:
        notebook.close()
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------------------------------
# Notebook 7 without jupyterlab-myst: the student notebooks


@pytest.mark.browser
def test_myst_is_off_in_notebook7(browser, notebook7):
    """The control notebook's MyST shows as raw text, and the detectors see it: the extension is off."""
    disabled = notebook7.page_config("control.ipynb").get("disabledExtensions", [])
    assert MYST_EXTENSION in disabled and ANNOUNCEMENTS in disabled, disabled
    notebook = Notebook(browser, notebook7, "control.ipynb", 2)
    try:
        notebook.page.wait_for_selector(".jp-MarkdownCell .jp-RenderedMarkdown", timeout=LOAD_TIMEOUT_MS)
        notebook.page.wait_for_timeout(1500)                    # MathJax
        record = notebook.collect()[0]
        notebook.screenshot("notebook7-control")
    finally:
        notebook.close()
    assert record["renderer"] == "markdown", f"the markdown was rendered by {record['renderer']}, not plain Markdown"
    findings = raw_myst(rendered_myst_text(record))
    assert any("{admonition}" in f for f in findings), findings
    assert any("{term}" in f for f in findings), findings
    assert any(":class:" in f for f in findings), findings
    slots = empty_slots(record)
    assert len(slots) == 1 and "x" in slots[0], f"the empty-slot check should flag $x =$ only: {slots}"


@pytest.mark.browser
@pytest.mark.parametrize("chapter", selected_chapters())
def test_student_notebook_in_notebook7(browser, notebook7, chapter):
    """Run All in Notebook 7 without MyST: plain Markdown, numbers written in, figures, 'not attempted'."""
    source = notebook7.student_source() / f"{chapter}.ipynb"
    assert source.exists(), f"python -m tools.editions student wrote no {source.name}"
    shutil.copy2(source, notebook7.root / "student")
    path = f"student/{chapter}.ipynb"
    nb = read_notebook(notebook7.root / path)
    chapter_nb = read_notebook(ROOT / "chapters" / f"{chapter}.ipynb")
    label = f"Notebook 7 {chapter} (student)"
    problems, seen = [], []
    notebook = Notebook(browser, notebook7, path, len(nb.cells))
    try:
        notebook.wait_for_kernel()
        seconds = notebook.run_all()
        records = notebook.collect()
        check_common(nb, records, problems, label)
        if len(records) == len(nb.cells):
            for i, rec in enumerate(records):
                if rec["kind"] == "markdown" and rec["renderer"] != "markdown":
                    problems.append(f"{label} cell {i}: rendered by {rec['renderer']}, not the plain Markdown renderer")
            seen.append(f"{sum(r['renderer'] == 'markdown' for r in records if r['kind'] == 'markdown')} "
                        "plain Markdown cells")
            seen.append(check_figures(chapter_nb, nb, records, problems, label))
            seen.append(check_student_verdicts(chapter_nb, nb, records, problems, label))
            seen.append(check_student_numbers(chapter, chapter_nb, nb, records, problems, label))
            # Notebook 7 (7.4) takes the arrow keys for its own cell navigation before a focused slider
            # sees them (JupyterLab 4.4 does not); End reaches the slider in both.
            seen.append(check_widgets(notebook, nb, problems, label, f"notebook7-{chapter}", key="End"))
        problems += [f"{label}: uncaught exception in the page: {e}" for e in notebook.page_errors]
        shot = notebook.screenshot(f"notebook7-{chapter}")
        _write_summary(f"notebook7-{chapter}", label, seconds, shot, seen, problems)
    finally:
        notebook.close()
    assert not problems, "\n".join(problems)


def check_student_verdicts(chapter_nb, nb, records, problems, label):
    """Each checker of the chapter prints "not attempted" in the student notebook, and nothing worse."""
    expected = [name for _, name in checker_cells(chapter_nb)]
    found = checker_cells(nb)
    if sorted(name for _, name in found) != sorted(expected):
        problems.append(f"{label}: checkers {sorted(n for _, n in found)}, the chapter has {sorted(expected)}")
    for i, name in found:
        text = output_text(records[i])
        marks = verdicts(text)
        if (NOT_ATTEMPTED, name) not in marks or any(m != NOT_ATTEMPTED for m, _ in marks):
            problems.append(f"{label} cell {i}: check.{name} should print 'not attempted'; it printed {text[:300]!r}")
        if "Traceback" in text:
            problems.append(f"{label} cell {i}: a traceback under check.{name}")
    return f"verdicts {[verdicts(output_text(records[i])) for i, _ in found]}"


def check_student_numbers(chapter, chapter_nb, nb, records, problems, label):
    """Where the chapter has an {eval}, the student notebook shows a number between the same words
    (the value JupyterLab showed, when the JupyterLab test ran first)."""
    texts = {c.get("id"): rec.get("words", "") for c, rec in zip(nb.cells, records) if c.cell_type == "markdown"}
    everything = re.sub(r"\s+", " ", "\n".join(texts.values()))
    roles = [(cell_id, expr, src, s, e) for _, cell_id, expr, src, s, e in eval_roles(chapter_nb)]
    roles += [(None, expr, caption, s, e) for _, expr, caption, s, e in caption_eval_roles(chapter_nb)]
    matched = []
    for cell_id, expr, source, start, end in roles:
        value = LAB_EVAL_VALUES.get((chapter, cell_id, expr)) if cell_id else None
        anchor = eval_anchor(source, start, end, value)
        scope = re.sub(r"\s+", " ", texts[cell_id]) if cell_id in texts else everything
        if anchor is None:
            if value is not None and value not in scope:
                problems.append(f"{label}: {{eval}}`{expr}`: JupyterLab shows {value!r}, the student text does not")
            matched.append(f"{value} (in its cell; no plain word beside the role)" if value is not None
                           else "(no plain word beside the role: left to the empty-slot check)")
            continue
        found = anchor.search(scope)
        matched.append(found["value"] if found else "MISSING")
        if not found:
            shown = f"JupyterLab shows {value!r}" if value is not None else "a number"
            problems.append(f"{label}: {{eval}}`{expr}`: expected {shown} where the chapter says "
                            f"{source[max(0, start - 40):end + 40]!r}; no match for /{anchor.pattern}/ in "
                            f"{'its cell' if cell_id in texts else 'the notebook'}")
    return f"{{eval}} numbers {matched}"


# ----------------------------------------------------------------------------------------------------
# The detectors must be able to fail: plain tests, no browser


def test_raw_myst_detector_finds_raw_myst():
    raw = ("See the {term}`neuron` and $z =$ {eval}`f\"{z:.2f}\"` {glue:text}`ch1_z` {cite}`goodfellow2016`.\n"
           ":::{note}\nA note.\n:::\n```{figure} x.png\n:alt: a picture\n:name: fig-x\n```\n(sec-x)=\n"
           "```{admonition}\n:class: tip\nbody\n```")
    kinds = " ".join(raw_myst(raw))
    for piece in ("{term}", "{eval}", "{glue:text}", "{cite}", ":::{note}", "```{figure}", ":alt:", ":name:",
                  "(sec-x)=", "```{admonition}", ":class:"):
        assert piece in kinds, (piece, kinds)
    clean = ("A neuron computes $z = \\mathbf{w} \\cdot x$ and $a = f(z)$: 1.20 and 0.769.\n"
             "```python\nd = {k: v for k, v in pairs}\n```\nA dictionary {like this} in prose, \\{escaped\\}.")
    assert raw_myst(clean) == [], raw_myst(clean)


def test_rendered_text_keeps_plain_renderers_fences():
    """A plain renderer turns ```{note} into a code block of language {note}: written back, it is found."""
    record = {"prose": "Title\n", "blocks": [{"lang": "{note}", "text": ":class: tip\nbody"}]}
    findings = raw_myst(rendered_myst_text(record))
    assert any("{note}" in f for f in findings) and any(":class:" in f for f in findings), findings


def test_verdict_markers_match_nnlite_check():
    """The markers this test looks for are the ones nnlite.check prints, for a pass, a stub and a bug."""
    import numpy as np
    from nnlite import check

    def right(x, w, b):
        return float(np.dot(w, x) + b)

    def stub(x, w, b):
        raise NotImplementedError()

    def wrong(x, w, b):
        return float(np.dot(w, x))

    printed = {}
    for name, fn in (("right", right), ("stub", stub), ("wrong", wrong)):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            check.weighted_sum(fn)
        printed[name] = verdicts(out.getvalue())
    assert printed["right"] == [(PASSED, "weighted_sum")], printed
    assert printed["stub"] == [(NOT_ATTEMPTED, "weighted_sum")], printed
    assert printed["wrong"] == [(FAILED, "weighted_sum")], printed
    assert verdicts("⚠️ relu: the checker itself failed (KeyError: 1).") == [(CHECKER_BROKE, "relu")]


def test_eval_anchor_needs_the_number_between_the_words():
    source = 'The weighted sum is $z =$ {eval}`f"{z:.2f}"` and the neuron outputs $a =$ {eval}`f"{a:.3f}"`.'
    first, second = list(EVAL_ROLE.finditer(source))
    anchor = eval_anchor(source, first.start(), first.end())
    assert anchor.search("The weighted sum is z= 1.20 and the neuron outputs a= 0.769.")
    assert not anchor.search("The weighted sum is z= and the neuron outputs a= .")
    assert eval_anchor(source, first.start(), first.end(), "1.20").search("is z= 1.20 and the neuron")
    assert not eval_anchor(source, first.start(), first.end(), "1.20").search("is z= 99.00 and the neuron")
    assert eval_anchor(source, second.start(), second.end()) is None         # only maths and "." around it
    caption = "The trained weights range from {eval}`lo` to {eval}`hi`, and\n{eval}`neg` of them are negative."
    roles = list(EVAL_ROLE.finditer(caption))
    text = "The trained weights range from -3.78 to 3.75, and 50% of them are negative."
    assert all(eval_anchor(caption, m.start(), m.end()).search(text) for m in roles)
    assert not eval_anchor(caption, roles[2].start(), roles[2].end()).search("range from -3.78 to 3.75, and of them")


def test_empty_slot_check_flags_a_lost_value():
    record = {"maths": [{"text": "z=", "next": " and the neuron"}, {"text": "a =", "next": " 0.769."},
                        {"text": "b", "next": " is a number"}],
              "rawDollar": ["$x =$ and", "$y =$ 2.5 and"]}
    slots = empty_slots(record)
    assert len(slots) == 2 and "z=" in slots[0] and "$x =$" in slots[1], slots


def test_figure_and_checker_cells_are_read_from_the_notebook():
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("fig = plot.network_diagram([2, 3])", metadata={"tags": ["remove-output"]}),
        nbformat.v4.new_code_cell("fig", metadata={"mystnb": {"figure": {"caption": "from {eval}`lo` to",
                                                                         "name": "f"}}}),
        nbformat.v4.new_markdown_cell("only {eval}`n` of them"),
        nbformat.v4.new_code_cell("def relu(x):\n    raise NotImplementedError()\n\nrelu = check.relu(relu)"),
        nbformat.v4.new_code_cell("n = 3"),
    ]
    nb.cells.append(nbformat.v4.new_markdown_cell("A {term}`neuron`, {glue:text}`ch1_z:.2f` and {cite:t}`x`."))
    assert roles_jupyterlab_myst_cannot_render(nb) == [(5, "glue:text")]
    assert figure_cells(nb) == [1]
    assert plot_cells(nb) == [0]
    assert checker_cells(nb) == [(3, "relu")]
    assert [r[2] for r in eval_roles(nb)] == ["n"]
    assert [r[1] for r in caption_eval_roles(nb)] == ["lo"]
    assert eval_names_rebound_later(nb) == ["cell 2: {eval}`n` uses ['n'], bound again in code cell 4"]


def test_image_and_error_outputs_are_counted():
    rec = {"kind": "code", "outputs": [
        {"mime": "image/png", "text": "", "images": [{"w": 640, "h": 480, "shown": True}]},
        {"mime": "image/png", "text": "", "images": [{"w": 0, "h": 0, "shown": True}]},           # broken image
        {"mime": "application/vnd.jupyter.stderr", "text": "Traceback (most recent call last):\n...", "images": []},
        {"mime": "application/vnd.jupyter.stderr", "text": "ZeroDivisionError: division by zero", "images": []},
        {"mime": "application/vnd.jupyter.stderr", "text": "Matplotlib is building the font cache", "images": []}]}
    assert image_count(rec) == 1
    assert len(stderr_problems(rec)) == 2


@pytest.mark.parametrize("chapter", sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")))
def test_eval_values_are_the_same_after_run_all_in_jupyterlab(chapter):
    """No name an {eval} reads is bound again further down (JupyterLab evaluates after Run All's cells)."""
    problems = eval_names_rebound_later(read_notebook(ROOT / "chapters" / f"{chapter}.ipynb"))
    assert not problems, (f"{chapter}: in JupyterLab, Run All evaluates {{eval}} after every code cell ran, so "
                          "these would show a later value than the book and the student notebook:\n"
                          + "\n".join(problems))
