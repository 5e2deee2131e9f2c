"""Static checks of the chapter notebooks: committed clean, complete, and covering the seed concepts.

The notebooks themselves are executed by nbval (``--nbval-lax`` over ``chapters/`` in ``make test``).
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_are_chapters():
    assert len(CHAPTERS) >= 6, f"expected at least chapters 1-6, found {[p.name for p in CHAPTERS]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    dirty = [i for i, cell in enumerate(load(path)["cells"]) if cell["cell_type"] == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; run jupyter nbconvert --clear-output --inplace"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_anatomy(path):
    cells = load(path)["cells"]
    markdown = "\n".join(source(c) for c in cells if c["cell_type"] == "markdown")
    code = [source(c) for c in cells if c["cell_type"] == "code"]
    number = int(path.name[:2])
    assert re.search(r"^# (?!\d)\S", markdown, re.M), (
        f"{path.name}: the title is '# Title' without a number: the toc numbers chapter {number}")
    for required in ("Learning objectives", "Estimated time", "Prerequisites", "Summary", "Exercises"):
        assert required.lower() in markdown.lower(), f"{path.name}: missing '{required}'"
    assert "expect_version(" in code[0], f"{path.name}: the first code cell must call nl.expect_version"
    exercises = markdown.count("{exercise}") + sum(len(re.findall(r"=\s*check\.\w+\(", c)) for c in code)
    assert exercises >= 3, f"{path.name}: {exercises} exercises, at least 3 needed"
    assert "{term}" in markdown, f"{path.name}: link the chapter's new terms to the glossary with {{term}}"


def test_chapters_in_toc_in_order():
    toc = (ROOT / "_toc.yml").read_text()
    listed = re.findall(r"file:\s*chapters/(\S+)", toc)
    assert listed == [p.stem for p in CHAPTERS], "every chapter is in _toc.yml, in numeric order"


def _headings_and_terms():
    texts = []
    for path in CHAPTERS:
        for cell in load(path)["cells"]:
            if cell["cell_type"] == "markdown":
                texts += [line.lstrip("#").strip() for line in source(cell).splitlines() if line.startswith("#")]
    glossary = (ROOT / "book" / "glossary.md").read_text()
    block = glossary.split("```{glossary}", 1)[1].split("```", 1)[0]
    texts += [line.strip() for line in block.splitlines() if line.strip() and not line.startswith((" ", ":"))]
    return [t.lower() for t in texts]


SEED_CONCEPTS = {
    "input layer": r"input layer", "hidden layer": r"hidden layer", "output layer": r"output layer",
    "weights": r"\bweights?\b", "biases": r"\bbias(es)?\b", "weighted sum": r"weighted sum",
    "bias shift": r"bias shift|shifts? the (activation|curve)", "ReLU": r"\brelu\b",
    "sigmoid": r"\bsigmoid\b", "tanh": r"\btanh\b", "softmax": r"\bsoftmax\b",
    "forward pass": r"forward pass", "loss": r"\bloss\b", "backpropagation": r"backpropagation",
    "gradient descent": r"gradient descent", "Adam": r"\badam\b", "784-128-10": r"784\s*(→|-|–|->)\s*128\s*(→|-|–|->)\s*10",
}


@pytest.mark.parametrize("concept", SEED_CONCEPTS, ids=str)
def test_seed_concept_is_taught(concept):
    found = [t for t in _headings_and_terms() if re.search(SEED_CONCEPTS[concept], t)]
    assert found, f"no chapter heading or glossary term covers '{concept}'"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_needs_nothing_of_the_book_build(path):
    """A chapter runs in a plain kernel (Colab, the browser): no myst_nb import, no glue; its numbers
    are {eval} roles and its figures its cells' own outputs."""
    cells = load(path)["cells"]
    code = "\n".join(source(c) for c in cells if c["cell_type"] == "code")
    markdown = "\n".join(source(c) for c in cells if c["cell_type"] == "markdown")
    assert "myst_nb" not in code and "glue(" not in code, f"{path.name}: imports or calls the book build's glue"
    assert "{glue" not in markdown, f"{path.name}: a {{glue}} role or directive is left"
    for cell in cells:
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
        if figure:
            assert figure.get("caption") and figure.get("name"), f"{path.name}: a figure without caption or name"
            assert cell["metadata"]["mystnb"].get("image", {}).get("alt"), f"{path.name}: {figure['name']} has no alt text"
            tags = cell["metadata"].get("tags", [])
            assert "remove-output" not in tags and "remove-cell" not in tags, f"{figure['name']}: its output is hidden"
