"""Code-exercise solutions behind a "Show solution" toggle in the full book.

A code exercise's solution cell holds the solution between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` (the student notebooks get a stub there instead). The book runs the full cell, so the
checker below it has a working function, but a reader first sees what a student sees: the stub. The
solution follows in a closed ``<details>`` element, like the written solutions' dropdowns, and opens with
a click or the keyboard. The student edition is built from the student notebooks, which hold no markers:
nothing changes there.
"""

from docutils import nodes

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


def split_solution(source):
    """(stub, solution) views of a cell's source: the stub replaces every solution block with
    ``# YOUR CODE HERE`` and ``raise NotImplementedError()``; the solution keeps the block, markers
    dropped. Markers that do not pair up leave the source alone (the editions step reports them)."""
    stub, solution, inside = [], [], False
    for line in source.split("\n"):
        text = line.strip()
        if text.startswith(BEGIN) and not inside:
            indent = line[:len(line) - len(line.lstrip())]
            stub.extend(indent + s for s in STUB)
            inside = True
        elif text.startswith(END) and inside:
            inside = False
        else:
            solution.append(line)
            if not inside:
                stub.append(line)
    if inside:
        return source, None
    return "\n".join(stub), "\n".join(solution)


def hide_code_solutions(app, doctree):
    for block in list(doctree.findall(nodes.literal_block)):
        text = block.astext()
        if BEGIN not in text:
            continue
        stub, solution = split_solution(text)
        if solution is None:
            continue
        shown = nodes.literal_block(stub, stub, **{k: block[k] for k in ("language",) if k in block.attributes})
        shown["classes"] = list(block["classes"])
        block.replace_self(shown)
        cell_input = shown.parent
        while cell_input is not None and "cell_input" not in cell_input.get("classes", []):
            cell_input = cell_input.parent
        anchor = cell_input if cell_input is not None else shown
        hidden = nodes.literal_block(solution, solution, language=block.get("language", "ipython3"))
        toggle = nodes.container(classes=["nnlite-solution"])
        toggle += nodes.raw("", '<details class="nnlite-solution-toggle"><summary>Show solution</summary>',
                            format="html")
        toggle += hidden
        toggle += nodes.raw("", "</details>", format="html")
        anchor.parent.insert(anchor.parent.index(anchor) + 1, toggle)


def setup(app):
    app.connect("doctree-read", hide_code_solutions)
    app.add_css_file("code-solutions.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

