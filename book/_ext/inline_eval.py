"""Evaluate a markdown cell's ``{eval}`` numbers after every cell above it has run.

The chapters compute the numbers their prose quotes in code cells, some of them tagged ``remove-cell``
(asserts that keep the prose honest). myst-nb's inline execution runs cells lazily, when the next code
cell it *renders* needs them; cells it removes from the page are run only then. A markdown cell right
after a removed cell would therefore evaluate its ``{eval}`` roles before that cell ran. Running every
cell up to the markdown cell first gives each number the value it has at that point of the notebook,
as in JupyterLab after Run All (jupyterlab-myst), and as the student notebooks quote it.
"""

from myst_nb.core import render
from myst_nb.core.execute.inline import NotebookClientInline

_render_markdown = render.MditRenderMixin.render_nb_cell_markdown


def render_nb_cell_markdown(self, token):
    client = getattr(self, "nb_client", None)
    index = token.meta.get("index")
    if isinstance(client, NotebookClientInline) and index is not None:
        client.code_cell_outputs(index)           # runs the cells before it; a markdown cell is a no-op
    _render_markdown(self, token)


def setup(app):
    render.MditRenderMixin.render_nb_cell_markdown = render_nb_cell_markdown
    app.add_css_file("inline-eval.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
