"""Every page fits its column: no code line and no output line in a chapter is longer than 77 characters,
what the book's 688 px text column shows at a 1280 px window without scrolling sideways (measured in
Chromium: a 78-character line scrolls 6 px). Code behind a "Show code" toggle (``hide-input``) sits in a
narrower box and holds 75.

Sources are read from ``chapters/`` (code cells, and the fenced code of markdown cells such as "The same
in PyTorch"). Outputs are read from the notebooks the book build executed (``_build/jupyter_execute``),
so this test executes nothing itself: it shares the session's one book build with tests/test_book.py.
A cell the page never shows is left out: ``remove-cell`` and ``remove-input`` for its code,
``remove-cell`` and ``remove-output`` for its outputs.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 77                        # characters of monospace text in the 688 px column
HIDDEN_WIDTH = 75                 # ... and in the box of a hide-input cell's toggle
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})(.*)$")
# What myst-nb shows instead of text/plain when a cell's output has it (its render priority for HTML).
RICHER = ("application/vnd.jupyter.widget-view+json", "text/html", "image/svg+xml", "image/png",
          "image/jpeg", "text/markdown", "text/latex")


def toc_chapters():
    return re.findall(r"file:\s*chapters/(\S+)", (ROOT / "_toc.yml").read_text())


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def fenced_code(markdown):
    """The code blocks of a Markdown text, each as one string. MyST directives (```{exercise}, :::{note})
    are fences too; what they hold is prose, searched for code blocks of its own."""
    blocks, stack = [], []                      # stack of [fence, is_code, lines]
    for line in markdown.split("\n"):
        match = FENCE.match(line)
        top = stack[-1] if stack else None
        closes = (match and top and not match.group(2).strip() and match.group(1)[0] == top[0][0]
                  and len(match.group(1)) >= len(top[0]))
        if closes:
            fence, is_code, lines = stack.pop()
            if is_code:
                blocks.append("\n".join(lines))
        elif top and top[1]:
            top[2].append(line)
        elif match:
            info = match.group(2).strip()
            stack.append([match.group(1), match.group(1)[0] != ":" and not info.startswith("{"), []])
    return blocks


def too_long(text, width=WIDTH):
    """(line number, length, line) of every line of ``text`` wider than the column."""
    lines = ANSI.sub("", text).expandtabs(8).split("\n")
    return [(n, len(line), line) for n, line in enumerate(lines, start=1) if len(line.rstrip()) > width]


def source_offenders(notebook):
    """Lines of shown code (code cells, fenced code in markdown) longer than the column."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        source = _text(cell["source"])
        if cell["cell_type"] == "code" and not {"remove-cell", "remove-input"} & _tags(cell):
            width = HIDDEN_WIDTH if "hide-input" in _tags(cell) else WIDTH
            found += [(f"cell {index} (code)", *line) for line in too_long(source, width)]
        elif cell["cell_type"] == "markdown":
            for block in fenced_code(source):
                found += [(f"cell {index} (fenced code)", *line) for line in too_long(block)]
    return found


def output_text(output):
    """The text the page shows for one output, or None if it shows something else (a figure, HTML)."""
    if output.get("output_type") == "stream":
        return _text(output.get("text", ""))
    data = output.get("data", {})
    if output.get("output_type") in ("execute_result", "display_data") and "text/plain" in data:
        if any(mime in data for mime in RICHER):
            return None
        return _text(data["text/plain"])
    if output.get("output_type") == "error":
        return "\n".join(output.get("traceback", []))
    return None


def output_offenders(notebook):
    """Lines of shown text outputs longer than the column."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code" or {"remove-cell", "remove-output"} & _tags(cell):
            continue
        for output in cell.get("outputs", []):
            text = output_text(output)
            if text:
                found += [(f"cell {index} (output)", *line) for line in too_long(text)]
    return found


def describe(chapter, offenders):
    return (f"{chapter}: {len(offenders)} line(s) wider than {WIDTH} characters (they scroll sideways in "
            "the book):\n" + "\n".join(f"  {where}, line {n}, {length} chars: {line.strip()[:100]}"
                                       for where, n, length, line in offenders))


def test_too_long_sees_a_long_line_and_passes_a_short_one():
    notebook = {"cells": [
        {"cell_type": "code", "metadata": {}, "source": ["x = 1\n", "y = '" + "a" * 80 + "'\n"],
         "outputs": [{"output_type": "stream", "name": "stdout", "text": ["ok\n", "b" * 79 + "\n"]},
                     {"output_type": "display_data", "data": {"text/plain": ["<Figure>" + "c" * 90],
                                                                 "image/png": ""}}]},
        {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "source": ["z = '" + "d" * 90 + "'"],
         "outputs": []},
        {"cell_type": "markdown", "metadata": {}, "source": ["Text " + "e" * 90 + "\n",
                                                             "```python\n", "f = '" + "g" * 80 + "'\n", "```\n"]},
        {"cell_type": "markdown", "metadata": {}, "source": ["````{exercise} Title\n", "Prose " + "h" * 90 + "\n",
                                                             "```\n", "short = 1\n", "i = '" + "j" * 80 + "'\n",
                                                             "```\n", "````\n", "```{note}\n", "k" * 90 + "\n",
                                                             "```\n"]},
    ]}
    assert [(where, n) for where, n, *_ in source_offenders(notebook)] == [
        ("cell 0 (code)", 2), ("cell 2 (fenced code)", 1), ("cell 3 (fenced code)", 2)]
    assert [(where, n, length) for where, n, length, _ in output_offenders(notebook)] == [
        ("cell 0 (output)", 2, 79)]


@pytest.mark.parametrize("chapter", toc_chapters())
def test_code_lines_fit_the_column(chapter):
    notebook = json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    offenders = source_offenders(notebook)
    assert not offenders, describe(chapter, offenders)


@pytest.fixture(scope="session")
def executed(built_book):
    """The chapters as the book build executed them (outputs included)."""
    folder = built_book.parent / "jupyter_execute" / "chapters"
    if not folder.is_dir():
        pytest.fail(f"the book build left no executed notebooks in {folder}")
    return folder


@pytest.mark.book
@pytest.mark.parametrize("chapter", toc_chapters())
def test_output_lines_fit_the_column(executed, chapter):
    path = executed / f"{chapter}.ipynb"
    assert path.exists(), f"the book build did not execute {chapter}"
    offenders = output_offenders(json.loads(path.read_text(encoding="utf-8")))
    assert not offenders, describe(chapter, offenders)


def test_summary_of_a_wide_model_fits_and_keeps_every_shape():
    import nnlite as nl

    model = nl.Sequential(nl.GRU(1, 16, rng=0), nl.LastStep(), nl.Dense(16, 2, rng=0))
    text = model.summary_text(input_shape=(40, 1))
    assert max(len(line) for line in text.splitlines()) <= WIDTH, text
    for name, p in model.named_parameters():
        assert f"{name.split('.')[-1]} {p.shape}" in text, f"{name} {p.shape} missing from\n{text}"
    narrow = nl.Sequential(nl.Dense(784, 128, rng=0), nl.ReLU(), nl.Dense(128, 10, rng=0)).summary_text()
    assert "W (784, 128), b (128,)" in narrow, "a table that fits keeps a layer's parameters on one line"


def test_summary_with_long_layer_names_puts_each_name_on_its_own_line():
    """GPT-2 small's layers have names of 52 characters: even one parameter a line is too wide, so each
    name goes above its row, and every count stays in the table."""
    import nnlite as nl

    with nl.shapes_only():
        model = nl.gpt2_small()
    lines = model.summary_text(input_shape=(1024,)).splitlines()
    assert max(len(line) for line in lines) <= WIDTH, "\n".join(lines)
    for layer in model.layers:
        assert repr(layer) in lines, f"{layer!r} is not on a line of its own"
        row = lines[lines.index(repr(layer)) + 1]
        assert row.startswith("  (batch, 1024, "), f"{layer!r} is not followed by its row: {row!r}"
    assert "38,597,376" in lines[lines.index("Embedding(50257, 768)") + 1]
    assert "Trainable parameters: 124,439,808" in lines


def test_shape_error_puts_its_fix_on_a_line_that_fits():
    import numpy as np

    import nnlite as nl

    for layer, X, fix in [(nl.Dense(3, 1, rng=0), np.ones(3), "x.reshape(1, -1)"),
                          (nl.Dense(784, 128, rng=0), np.ones((2, 1, 28, 28)), "nl.Flatten()"),
                          (nl.Dense(784, 128, rng=0), np.ones((32, 100)), "axis 1 should have size 784")]:
        with pytest.raises(nl.ShapeError) as info:
            layer(X)
        lines = str(info.value).splitlines()
        assert max(len(line) for line in lines) <= WIDTH, str(info.value)
        assert any(fix in line for line in lines), f"{fix!r} not whole on one line of:\n{info.value}"
