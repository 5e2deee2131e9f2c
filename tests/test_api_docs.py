"""The API page lists every parameter on its own: napoleon parses each docstring's Args section into one
entry per parameter, with its own text, and the built page shows them so."""

import html
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "book" / "api.md"
DIRECTIVE = re.compile(r"^\.\. auto(class|function|module):: (\S+)((?:\n   :[\w-]+:.*)*)", re.M)


def resolve(dotted):
    """The object a dotted name such as ``nnlite.plot.training.loss_curves`` names."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(dotted)


def documented(text=None):
    """(name, object) for every class, function and listed member the API page documents."""
    text = API.read_text(encoding="utf-8") if text is None else text
    found = []
    for kind, name, options in DIRECTIVE.findall(text):
        obj = resolve(name)
        if kind != "module":
            found.append((name, obj))
        members = re.search(r":members:(.*)", options)
        if members is None:
            continue
        names = [m.strip() for m in members.group(1).split(",") if m.strip()]
        if not names:        # all public functions and classes defined in the module
            names = [n for n, v in vars(obj).items() if not n.startswith("_")
                     and (inspect.isfunction(v) or inspect.isclass(v)) and v.__module__ == obj.__name__]
        found.extend((f"{name}.{member}", getattr(obj, member)) for member in names)
    return found


def signature_parameters(obj):
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    return [p.name for p in signature.parameters.values()
            if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def parameter_entries(obj):
    """{name: text} of the ``:param name:`` fields napoleon makes of the docstring (the book's config)."""
    from sphinx.ext.napoleon import Config
    from sphinx.ext.napoleon.docstring import GoogleDocstring

    config = Config(napoleon_use_param=True, napoleon_use_rtype=True)
    lines = str(GoogleDocstring(inspect.getdoc(obj) or "", config)).splitlines()
    entries = {}
    for i, line in enumerate(lines):
        match = re.match(r":param (\S+):(.*)", line)
        if match:
            text = [match.group(2)]
            for follow in lines[i + 1:]:
                if not follow.startswith("   "):
                    break
                text.append(follow)
            entries[match.group(1)] = " ".join(t.strip() for t in text).strip()
    return entries


def must_be_complete(name):
    """What a chapter calls by name (``nl.<name>``, the data sets, the widgets) documents every one of its
    parameters; elsewhere (functional, init, plot, check) a docstring may leave obvious ones (``ax``,
    ``title``) to the signature, but every entry it has stands alone."""
    return name.count(".") == 1 or name.startswith(("nnlite.widgets.", "nnlite.datasets."))


def garbled(name, obj):
    """What is wrong with ``obj``'s parameter list as napoleon parses it; empty when it is right."""
    parameters = signature_parameters(obj)
    entries = parameter_entries(obj)
    problems = []
    if must_be_complete(name):
        missing = [p for p in parameters if p not in entries]
        if missing:
            problems.append(f"no entry of its own for {missing}")
    unknown = [e for e in entries if e not in parameters]
    if unknown:
        problems.append(f"entries for names that are not parameters: {unknown} (two names on one line?)")
    texts = list(entries.values())
    shared = [e for e, text in entries.items() if texts.count(text) > 1]
    if shared:
        problems.append(f"{shared} share one text (write one line per parameter)")
    folded = [e for e, text in entries.items()
              if any(re.search(rf"(^|\s){re.escape(p)}: ", text) for p in parameters if p != e)]
    if folded:
        problems.append(f"the text of {folded} holds another parameter's entry (one per line)")
    return problems


@pytest.mark.parametrize("name", [name for name, _ in documented()])
def test_every_parameter_has_its_own_entry(name):
    obj = dict(documented())[name]
    problems = garbled(name, obj)
    assert not problems, f"{name}: " + "; ".join(problems)


def test_the_check_catches_the_old_garbled_docstrings():
    def fit(model, loss_fn, X, y, epochs=5, batch_size=64, shuffle=True):
        """Train.

        Args:
            model: a Layer.  loss_fn: a loss.
            X, y: training inputs and targets.
            epochs, batch_size: passes over the data and examples per step.
        """

    problems = " ".join(garbled("nnlite.fit", fit))
    assert "['loss_fn', 'shuffle']" in problems
    assert "['X', 'y', 'epochs', 'batch_size'] share one text" in problems
    assert "the text of ['model'] holds another parameter's entry" in problems


def test_the_page_documents_the_training_pieces():
    names = {name for name, _ in documented()}
    for needed in ("nnlite.Optimizer", "nnlite.Optimizer.step", "nnlite.Optimizer.zero_grad",
                   "nnlite.Loss.backward", "nnlite.fit", "nnlite.plot.training.loss_curves",
                   "nnlite.widgets.bias_shift"):
        assert needed in names, f"book/api.md does not document {needed}"
    import nnlite.check
    import nnlite.plot
    for module, names_in in ((nnlite.check, nnlite.check.__all__), (nnlite.plot, nnlite.plot.__all__)):
        public = {n for n in names_in if inspect.isfunction(getattr(module, n))}
        listed = {name.rsplit(".", 1)[-1] for name in names if name.startswith(module.__name__ + ".")}
        assert public <= listed, f"book/api.md leaves out {sorted(public - listed)} of {module.__name__}"


@pytest.mark.book
def test_built_page_lists_each_parameter_of_fit(built_book):
    page = (built_book / "book" / "api.html").read_text(encoding="utf-8")
    start = page.index('id="nnlite.fit"')
    block = page[start:page.index("</dl>", start)]
    listed = [html.unescape(re.sub(r"<.*?>", "", item)) for item in re.findall(r"<li><p><strong>(.*?)</strong>", block)]
    import nnlite
    assert listed == signature_parameters(nnlite.fit), f"the page lists {listed} for fit"


@pytest.mark.book
def test_built_signatures_show_defaults_as_written(built_book):
    page = html.unescape((built_book / "book" / "api.html").read_text(encoding="utf-8"))
    assert "<class 'numpy" not in page, "a signature shows a default as <class 'numpy...'>"
    assert "dtype=np.float64" in re.sub(r"<.*?>", "", page), "no signature shows dtype=np.float64"


# A docstring's code (doctest examples, ``::`` blocks) shows in a box indented under its signature:
# about 73 characters fit at 1280 px (measured: 66 fit, 78 scroll).
CODE_WIDTH = 72


def code_lines(doc):
    """The lines of a docstring the page shows as code: doctest blocks and literal blocks after ``::``."""
    shown, literal_indent, block_indent, in_doctest = [], None, None, False
    for line in doc.splitlines():
        stripped, indent = line.strip(), len(line) - len(line.lstrip())
        if literal_indent is not None:
            if stripped and indent <= literal_indent:
                literal_indent = None
            else:
                if stripped and block_indent is None:
                    block_indent = indent             # the block's own indentation is not shown
                shown.append(stripped and line[block_indent:])
                continue
        if stripped.startswith(">>>"):
            in_doctest = True
        elif not stripped:
            in_doctest = False
        if in_doctest:
            shown.append(stripped)
        if stripped.endswith("::"):
            literal_indent, block_indent = indent, None
    return [line for line in shown if line]


def test_code_lines_sees_examples_and_literal_blocks():
    doc = ("Formula::\n\n    y = " + "a" * 70 + "\n\nText " + "b" * 90 + "\n\nExample:\n"
           "    >>> x = 1\n    >>> f(" + "c" * 70 + ")\n    " + "d" * 75 + "\n")
    assert [len(line) for line in code_lines(doc)] == [74, 9, 77, 75]


@pytest.mark.parametrize("name", [name for name, _ in documented()])
def test_docstring_code_fits_the_api_page(name):
    obj = dict(documented())[name]
    wide = [line for line in code_lines(inspect.getdoc(obj) or "") if len(line) > CODE_WIDTH]
    assert not wide, f"{name}: docstring code wider than {CODE_WIDTH} characters scrolls on the API page: {wide}"
