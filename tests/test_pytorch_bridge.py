"""The PyTorch bridge: every chapter ends, after its summary and new terms and before its exercises, with
one markdown cell "## The same in PyTorch" holding one ```python block. The chapter never runs it (the
book must not need torch); here each block runs in a fresh namespace and the ``ours`` (numpy) and
``theirs`` (torch) it defines must agree, at rtol 1e-6 in float64. The student notebooks keep the block.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## The same in PyTorch"
PYTHON_FENCE = re.compile(r"^(`{3,})python[ \t]*\n(.*?)^\1[ \t]*$", re.M | re.S)
RTOL, ATOL = 1e-6, 1e-9


def toc_chapters():
    return re.findall(r"file:\s*chapters/(\S+)", (ROOT / "_toc.yml").read_text())


def load(chapter):
    return json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def bridge(notebook, chapter="the chapter"):
    """(cell index, markdown, python code) of the chapter's one "The same in PyTorch" block."""
    found = [(i, source(c)) for i, c in enumerate(notebook["cells"])
             if c["cell_type"] == "markdown" and source(c).lstrip().startswith(HEADING)]
    assert found, (f"{chapter} has no '{HEADING}' block: add one markdown cell after the summary and new "
                   "terms, before the exercises, with one ```python snippet that defines ours and theirs")
    assert len(found) == 1, f"{chapter} has {len(found)} '{HEADING}' cells (cells {[i for i, _ in found]}); keep one"
    index, text = found[0]
    fences = PYTHON_FENCE.findall(text)
    assert len(fences) == 1, f"{chapter}, cell {index}: {len(fences)} ```python blocks under '{HEADING}'; write one"
    return index, text, fences[0][1]


def heading_cell(notebook, pattern):
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown" and re.search(pattern, source(cell), re.M):
            return i
    return None


def test_bridge_finds_the_one_block_and_refuses_a_missing_one():
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "## Summary\n"},
        {"cell_type": "markdown", "source": f"{HEADING}\n\nText.\n\n```python\nours = 1\n```\n"},
        {"cell_type": "code", "source": "## The same in PyTorch"},
    ]}
    assert bridge(notebook) == (1, source(notebook["cells"][1]), "ours = 1\n")
    with pytest.raises(AssertionError, match="has no"):
        bridge({"cells": notebook["cells"][:1]})
    with pytest.raises(AssertionError, match="2 ```python blocks"):
        bridge({"cells": [{"cell_type": "markdown", "source": f"{HEADING}\n```python\na\n```\n```python\nb\n```\n"}]})


@pytest.mark.parametrize("chapter", toc_chapters())
def test_chapter_has_one_bridge_between_summary_and_exercises(chapter):
    notebook = load(chapter)
    index, _, code = bridge(notebook, chapter)
    summary = heading_cell(notebook, r"^## Summary")
    exercises = heading_cell(notebook, r"^## Exercises|^`{3,}\{exercise")
    assert summary is not None and summary < index, f"{chapter}: '{HEADING}' (cell {index}) must follow the summary"
    assert exercises is None or index < exercises, \
        f"{chapter}: '{HEADING}' (cell {index}) must come before the exercises (cell {exercises})"
    assert re.search(r"^import .*\btorch\b", code, re.M), f"{chapter}: the PyTorch snippet does not import torch"
    for name in ("ours", "theirs"):
        assert re.search(rf"\b{name}\b", code), f"{chapter}: the PyTorch snippet never defines {name!r}"


@pytest.mark.parity
@pytest.mark.parametrize("chapter", toc_chapters())
def test_bridge_snippet_matches_nnlite(chapter, monkeypatch):
    torch = pytest.importorskip("torch", reason="PyTorch is needed for the bridge snippets: pip install torch==2.13.0")
    _, _, code = bridge(load(chapter), chapter)
    monkeypatch.chdir(ROOT / "chapters")          # where the chapter itself runs
    namespace = {"__name__": f"bridge_{chapter}"}
    exec(compile(code, f"<{chapter}: {HEADING}>", "exec"), namespace)
    for name in ("ours", "theirs"):
        assert name in namespace, f"{chapter}: the PyTorch snippet does not define {name!r}"
    ours, theirs = namespace["ours"], namespace["theirs"]
    assert isinstance(theirs, torch.Tensor), f"{chapter}: theirs is a {type(theirs).__name__}, not a torch tensor"
    assert theirs.dtype == torch.float64, f"{chapter}: theirs is {theirs.dtype}; build the torch side in float64"
    ours = np.asarray(ours)
    assert ours.dtype == np.float64, f"{chapter}: ours is {ours.dtype}; build the nnlite side in float64"
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=RTOL, atol=ATOL,
                               err_msg=f"{chapter}: nnlite and PyTorch disagree")


@pytest.mark.parametrize("chapter", toc_chapters())
def test_student_notebook_keeps_the_snippet(chapter):
    from tools import markdown as md

    notebook = load(chapter)
    index, text, code = bridge(notebook, chapter)
    converted = md.Chapter(f"{chapter}.ipynb", book=md.Book.load(ROOT), nb=notebook).convert(text, cell=index)
    assert HEADING in converted, f"{chapter}: the student notebook loses the heading '{HEADING}'"
    fences = PYTHON_FENCE.findall(converted)
    assert [body for _, body in fences] == [code], f"{chapter}: the student notebook changes the PyTorch snippet"
