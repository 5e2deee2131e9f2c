"""Code-exercise solutions behind a "Show solution" toggle in the full book.

A code exercise's solution cell holds the solution between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` (the student notebooks get a stub there instead). The book runs the full cell, so the
checker below it has a working function, but a reader first sees what a student sees: the stub. The
solution follows in a closed ``<details>`` element, like the written solutions' dropdowns, and opens with
a click or the keyboard. The student edition is built from the student notebooks, which hold no markers:
nothing changes there.
"""

import sys
from pathlib import Path

from docutils import nodes

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
ROOT = Path(__file__).resolve().parents[2]        # the book's root, which holds tools/


def split_solution(source):
    """(stub, solution) views of a cell's source. The stub is what the student notebooks hold
    (``tools.editions.strip_code_solution``); the solution is the cell with the marker lines dropped.
    Markers that do not pair up give (source, None): the editions step reports them."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tools.editions import SolutionMarkerError, strip_code_solution

    try:
        stub = strip_code_solution(source)
    except SolutionMarkerError:
        return source, None
    solution = "\n".join(line for line in source.split("\n") if not line.strip().startswith((BEGIN, END)))
    return stub, solution


def _cell_input(node):
    """The notebook code cell's input container that holds ``node``, or None (a code block in prose)."""
    while node is not None and "cell_input" not in node.get("classes", []):
        node = node.parent
    return node


def hide_code_solutions(app, doctree):
    """Show the stub of every notebook code cell holding a solution, and the solution in a toggle after
    it. Code blocks in the prose (the instructor guide shows the markers) are left as written."""
    for block in list(doctree.findall(nodes.literal_block)):
        text = block.astext()
        cell_input = _cell_input(block)
        if BEGIN not in text or cell_input is None:
            continue
        stub, solution = split_solution(text)
        if solution is None:
            continue
        shown = nodes.literal_block(stub, stub, **{k: block[k] for k in ("language",) if k in block.attributes})
        shown["classes"] = list(block["classes"])
        block.replace_self(shown)
        hidden = nodes.literal_block(solution, solution, language=block.get("language", "ipython3"))
        toggle = nodes.container(classes=["nnlite-solution"])
        toggle += nodes.raw("", '<details class="nnlite-solution-toggle"><summary>Show solution</summary>',
                            format="html")
        toggle += hidden
        toggle += nodes.raw("", "</details>", format="html")
        cell_input.parent.insert(cell_input.parent.index(cell_input) + 1, toggle)


def setup(app):
    app.connect("doctree-read", hide_code_solutions)
    app.add_css_file("code-solutions.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

