"""The student notebooks read cleanly in any front end: plain Markdown and $…$ maths, no MyST left.

Unit tests of the MyST -> Markdown conversion (tools/markdown.py) on small synthetic notebooks, with and
without a published book to link to; the {eval} evaluator (tools/evaluate.py) in a real kernel; and every
real chapter's student notebook.
"""

import asyncio
import copy
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools import editions, evaluate
from tools import markdown as md

ROOT = editions.ROOT
CHAPTERS = editions.chapter_notebooks(ROOT)
CHAPTER_IDS = [p.stem for p in CHAPTERS]
BASEURL = "https://example.org/course"
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}

GLOSSARY = """# Glossary

```{glossary}
:sorted:

Hidden layer
  A layer between the input and the output layer.

Bias
  The number a neuron adds.

Weighted sum
Pre-activation
  Two names for one thing.
```
"""

BIB = """@article{rumelhart1986learning,
  title   = {Learning representations by back-propagating errors},
  author  = {Rumelhart, David E. and Hinton, Geoffrey E. and Williams, Ronald J.},
  year    = {1986}
}
@inproceedings{glorot2010understanding,
  title     = {Understanding the difficulty of training deep feedforward neural networks},
  author    = {Xavier Glorot and Yoshua Bengio},
  year      = 2010
}
@misc{elman1990finding,
  title  = "Finding structure in time",
  author = "Elman, Jeffrey L.",
  year   = "1990"
}
@article{maaten2008,
  title  = {Visualizing Data using {t-SNE}},
  author = {Laurens van der Maaten and Geoffrey Hinton},
  year   = {2008}
}
"""


def book(baseurl=""):
    return md.Book(None, baseurl, md.glossary_terms(GLOSSARY), md.parse_bibtex(BIB))


def convert(*cells, name="03_test.ipynb", baseurl="", values=None, the_book=None):
    """The converted cells of a notebook made of ``cells`` (strings are markdown cells)."""
    cells = [new_markdown_cell(c) if isinstance(c, str) else c for c in cells]
    nb = new_notebook(cells=cells, metadata=copy.deepcopy(KERNEL))
    return md.convert_notebook(nb, name, book=the_book or book(baseurl), values=values or {}).cells


def text(*cells, **options):
    return "\n\n".join(c.source for c in convert(*cells, **options))


def student_text(nb):
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


# ----------------------------------------------------------------------------------------------
# Roles


def test_term_is_emphasis_without_a_baseurl():
    assert text("A {term}`bias` and {term}`hidden layers <hidden layer>`.") == "A *bias* and *hidden layers*."


def test_term_links_to_the_glossary_entry_with_a_baseurl():
    out = text("A {term}`bias`, {term}`hidden layers <hidden layer>` and {term}`z <pre-activation>`.",
               baseurl=BASEURL + "/")
    glossary = f"{BASEURL}/book/glossary.html"
    assert out == (f"A [bias]({glossary}#term-Bias), [hidden layers]({glossary}#term-Hidden-layer) and "
                   f"[z]({glossary}#term-Pre-activation).")


def test_term_ids_are_the_ones_sphinx_makes():
    """With Sphinx's own rules, and with the fallback used where Sphinx is not installed."""
    from sphinx.util.nodes import make_id

    class Env:
        def new_serialno(self, prefix):
            return 0

    class Document:
        ids = {}
        settings = None

    for term in ["Hidden layer", "Bias", "Backpropagation through time", "Cross-entropy", "He initialisation",
                 "Log-sum-exp", "GELU"]:
        assert md.term_id(term) == make_id(Env(), Document(), "term", term)
        assert md._fallback_make_id(f"term-{term}") == make_id(Env(), Document(), "term", term)
    assert md.term_id("Hidden layer") == "term-Hidden-layer"


def test_eval_becomes_its_value_and_a_missing_value_is_an_error():
    values = {(0, 'f"{z:.2f}"'): "1.20", (0, "name"): "abc"}
    assert text('$z =$ {eval}`f"{z:.2f}"`, {eval}`name`.', values=values) == "$z =$ 1.20, abc."
    with pytest.raises(md.MystConversionError, match=r"03_test.ipynb, cell 1: no value for \{eval\}`w`"):
        convert("fine", "{eval}`w`")


def test_citations_author_year():
    assert text("{cite}`glorot2010understanding`") == "(Glorot and Bengio, 2010)"
    assert text("{cite:p}`rumelhart1986learning, elman1990finding`") == "(Rumelhart et al., 1986; Elman, 1990)"
    assert text("as {cite:t}`rumelhart1986learning` showed") == "as Rumelhart et al. (1986) showed"
    assert text("{cite:t}`maaten2008,glorot2010understanding`") == \
        "van der Maaten and Hinton (2008), Glorot and Bengio (2010)"
    with pytest.raises(md.MystConversionError, match="no reference 'nobody2020'"):
        convert("{cite}`nobody2020`")


def test_the_real_bibliography_parses():
    references = md.Book.load(ROOT).references
    assert md.citation_label(references["he2015delving"]) == ("He et al.", "2015")
    assert md.citation_label(references["glorot2010understanding"]) == ("Glorot and Bengio", "2010")


@pytest.fixture
def book_root(tmp_path):
    """A small book: a chapter to refer to, a glossary, references."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "glossary.md").write_text(GLOSSARY)
    (tmp_path / "book" / "references.bib").write_text(BIB)
    (tmp_path / "book" / "intro.md").write_text("# Welcome to the course\n\nText.\n")
    (tmp_path / "_config.yml").write_text("title: A course\nbibtex_bibfiles:\n  - book/references.bib\n")
    other = new_notebook(cells=[new_markdown_cell("# Parameters: weights and biases\n\nText."),
                                new_markdown_cell("(sec-init)=\n## Initialisation\n\nText."),
                                new_code_cell("fig", metadata={"mystnb": {"figure": {"caption": "c",
                                                                                     "name": "fig-other"}}})],
                         metadata=copy.deepcopy(KERNEL))
    nbformat.write(other, tmp_path / "chapters" / "02_parameters.ipynb")
    return tmp_path


@pytest.mark.parametrize("baseurl", ["", BASEURL])
def test_doc_links_and_titles(book_root, baseurl):
    the_book = md.Book.load(book_root, baseurl=baseurl)
    out = text("See {doc}`chapter 2 <02_parameters>`, {doc}`02_parameters` and {doc}`/book/intro`.",
               the_book=the_book)
    if baseurl:
        assert out == (f"See [chapter 2]({BASEURL}/chapters/02_parameters.html), "
                       f"[Parameters: weights and biases]({BASEURL}/chapters/02_parameters.html) and "
                       f"[Welcome to the course]({BASEURL}/book/intro.html).")
    else:
        assert out == "See chapter 2, Parameters: weights and biases and Welcome to the course."


def test_the_base_url_comes_from_the_config(book_root):
    assert md.Book.load(book_root).baseurl == ""
    (book_root / "_config.yml").write_text(f"title: A course\nhtml:\n  baseurl: {BASEURL}/\n")
    assert md.Book.load(book_root).baseurl == BASEURL


@pytest.mark.parametrize("baseurl", ["", BASEURL])
def test_ref_and_numref(book_root, baseurl):
    the_book = md.Book.load(book_root, baseurl=baseurl)
    figure = new_code_cell("fig", metadata={"mystnb": {"figure": {"caption": "Later.", "name": "fig-later"}}})
    cells = convert("(sec-here)=\n## Right here\n\nSee {ref}`sec-here`, {numref}`fig-later`, {ref}`ex-a`, "
                    "{ref}`that section <sec-init>`, {numref}`Figure %s <fig-other>` and {numref}`fig-later`.",
                    "````{exercise} A\n:label: ex-a\n\nDo it.\n````", figure, the_book=the_book)
    out = cells[0].source
    assert out.startswith("## Right here\n\nSee ")
    if baseurl:
        assert f"[Right here]({BASEURL}/chapters/03_test.html#sec-here)" in out
        assert f"[Figure 3.1]({BASEURL}/chapters/03_test.html#fig-later)" in out
        assert f"[Exercise 3.1]({BASEURL}/chapters/03_test.html#ex-a)" in out
        assert f"[that section]({BASEURL}/chapters/02_parameters.html#sec-init)" in out
        assert f"[Figure 2.1]({BASEURL}/chapters/02_parameters.html#fig-other)" in out
    else:
        assert out.endswith("See Right here, Figure 3.1, Exercise 3.1, that section, Figure 2.1 and Figure 3.1.")
    with pytest.raises(md.MystConversionError, match="no such label"):
        convert("{ref}`nowhere`", the_book=the_book)


def test_simple_roles():
    assert text("{math}`x^2` {sub}`2` {sup}`n` {kbd}`Ctrl` {abbr}`RNN` {code}`a = 1`") == \
        "$x^2$ <sub>2</sub> <sup>n</sup> <kbd>Ctrl</kbd> RNN `a = 1`"


def test_unknown_roles_and_directives_are_errors_naming_the_cell():
    with pytest.raises(md.MystConversionError, match=r"03_test.ipynb, cell 1: the role \{glue:text\}"):
        convert("fine", "{glue:text}`ch2_n:,`")
    with pytest.raises(md.MystConversionError, match=r"cell 0: the \{glue:figure\} directive needs myst_nb"):
        convert("```{glue:figure} ch2_x\n:name: fig-x\n```")
    with pytest.raises(md.MystConversionError, match=r"cell 0: the directive \{tab-set\}"):
        convert("::::{tab-set}\n:::{tab-item} A\nx\n:::\n::::")


# ----------------------------------------------------------------------------------------------
# Blocks


def test_admonitions_become_titled_quotes():
    source = """Before.

````{admonition} Before you start
:class: tip

**Learning objectives.** After this chapter you can

- count the {term}`parameters <bias>` of a network
  by hand;
- choose an initialisation.

```python
model.summary()
```
````

After."""
    assert text(source) == """Before.

> **Before you start**
>
> **Learning objectives.** After this chapter you can
>
> - count the *parameters* of a network
>   by hand;
> - choose an initialisation.
>
> ```python
> model.summary()
> ```

After."""


def test_colon_fenced_and_named_admonitions():
    out = text(":::{admonition} In this chapter\n:class: tip\n\nText with $x$.\n:::\n\n"
               "```{note}\nA note.\n```\n\n```{tip} Inline start\nand more.\n```\n\n"
               "```{warning}\n---\nclass: dropdown\n---\nCareful.\n```\n\n"
               ":::{important}\n1. first\n2. second\n:::")
    assert out == """> **In this chapter**
>
> Text with $x$.

> **Note**
>
> A note.

> **Tip**
>
> Inline start
> and more.

> **Warning**
>
> Careful.

> **Important**
>
> 1. first
> 2. second"""


def test_nested_directives_and_indented_ones():
    out = text("::::{admonition} Outer\n:::{note}\nInner {term}`bias`.\n:::\n::::\n\n"
               "- a list item\n\n  ```{tip}\n  Indented tip.\n  ```\n")
    assert out == ("> **Outer**\n>\n> > **Note**\n> >\n> > Inner *bias*.\n\n"
                   "- a list item\n\n  > **Tip**\n  >\n  > Indented tip.")


def test_an_unclosed_directive_runs_to_the_end_of_the_cell():
    assert text("Before.\n\n```{note}\nUnclosed,\nto the last line.") == \
        "Before.\n\n> **Note**\n>\n> Unclosed,\n> to the last line."


def test_exercises_are_numbered_across_gated_and_plain():
    cells = convert(
        "## Exercises\n\n```{exercise-start} The weighted sum · ★☆☆\n:label: ex-ws\n```\n\nWrite it: "
        "$z = w \\cdot x + b$.",
        new_code_cell("def weighted_sum(x, w, b):\n    ### BEGIN SOLUTION\n    return w @ x + b\n    ### END SOLUTION"),
        new_code_cell("weighted_sum = check.weighted_sum(weighted_sum)"),
        "```{exercise-end}\n```",
        "````{exercise} Counting layers (★★☆)\n:label: ex-count\n\nHow many layers?\n\n```python\nmodel\n```\n"
        "````\n\n````{solution} ex-count\n:class: dropdown\n\nThree.\n````",
        "```{exercise-start}\n:label: ex-third\n```\nNo title.",
        new_code_cell("x = 1"),
        "```{exercise-end}\n```\n\nProse after the end stays.",
        "```{exercise} Unnumbered\n:nonumber:\n\nA warm-up.\n```",
        name="07_convolution.ipynb")
    sources = [c.source for c in cells]
    assert sources[0] == ("## Exercises\n\n### Exercise 7.1 · The weighted sum · ★☆☆\n\nWrite it: "
                          "$z = w \\cdot x + b$.")
    assert sources[3].startswith("### Exercise 7.2 · Counting layers (★★☆)\n\nHow many layers?\n\n"
                                 "```python\nmodel\n```\n\n````{solution} ex-count")  # the strip step removes it
    assert sources[4] == "### Exercise 7.3\n\nNo title."
    assert sources[6] == "Prose after the end stays."                         # the end-only cell is gone
    assert sources[7] == "### Exercise · Unnumbered\n\nA warm-up."
    assert not any("exercise-end" in s for s in sources)


def test_student_notebook_drops_written_solutions_and_numbers_exercises():
    nb = new_notebook(cells=[
        new_markdown_cell("````{exercise} Where? · ★★☆\n:label: ex-w\n\nCount them.\n````\n\n"
                          "````{solution} ex-w\n:class: dropdown\n\nThe secret answer.\n````"),
        new_markdown_cell("```{exercise-start} Code · ★☆☆\n:label: ex-c\n```\n\nWrite `f`."),
        new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 'secret'\n    ### END SOLUTION"),
        new_markdown_cell("```{exercise-end}\n```\n\n```{solution-start} ex-c\n:class: dropdown\n```\n\nSecret words."),
        new_code_cell("secret_code = 1"),
        new_markdown_cell("```{solution-end}\n```\n\nThe end.")], metadata=copy.deepcopy(KERNEL))
    student = editions.student_notebook(nb, "05_backpropagation.ipynb", values={}, book=book())
    assert [c.source for c in student.cells] == [
        "### Exercise 5.1 · Where? · ★★☆\n\nCount them.", editions.ANSWER_CELL.format(number="5.1"),
        "### Exercise 5.2 · Code · ★☆☆\n\nWrite `f`.",
        "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()", "The end."]


def test_figure_cells_get_a_numbered_caption_after_them():
    figure = {"mystnb": {"figure": {"caption": "The {term}`bias` moves the curve to $x =$ {eval}`shift`.",
                                    "name": "fig-bias"}, "image": {"alt": "Two curves."}}}
    first = new_code_cell("fig = plot.a()\nfig", metadata=copy.deepcopy(figure))
    second = new_code_cell("fig", metadata={"mystnb": {"figure": {"caption": "Second\nline."}}, "tags": ["hide-input"]})
    cells = convert("Text.", first, "```{figure} images/static.png\n:alt: A static picture\n:name: fig-static\n\n"
                    "A picture from a file.\n```", second, new_code_cell("print(1)"),
                    name="02_parameters.ipynb", values={(1, "shift"): "-0.67"})
    assert [c.cell_type for c in cells] == ["markdown", "code", "markdown", "markdown", "code", "markdown", "code"]
    assert cells[1].metadata == figure                                          # the cell keeps its metadata
    assert cells[2].source == "*Figure 2.1.* The *bias* moves the curve to $x =$ -0.67."
    assert cells[3].source == "![A static picture](images/static.png)\n\n*Figure 2.2.* A picture from a file."
    assert cells[5].source == "*Figure 2.3.* Second\nline."
    nb = new_notebook(cells=cells, metadata=copy.deepcopy(KERNEL))
    nbformat.validate(nb)                                                       # the new cells have valid ids
    assert len({c.id for c in cells}) == len(cells)


def test_line_level_syntax():
    out = text("(sec-a)=\n## A section\n\n% a comment for authors\nText 100 % sure.\n\n+++\n\n"
               "$$\n% a TeX comment stays\nx = 1\n$$ (eq-one)\n\n```python\n% not a comment\n(label)=\n```")
    assert out == ("## A section\n\nText 100 % sure.\n\n$$\n% a TeX comment stays\nx = 1\n$$\n\n"
                   "```python\n% not a comment\n(label)=\n```")


def test_plain_markdown_is_unchanged():
    source = """# Title

## A section with `code` and $x_i$

- a list with **bold** and *emphasis*
  1. nested

| a | b |
|---|---|
| $\\sqrt{n}$ | `{term}` shown as code: ``{term}`x` `` |

$$
\\begin{aligned} z &= w x + b \\end{aligned}
$$

```python
text = "{term}`not a role`"
```

~~~
```{note} not a directive
~~~

<div class="x">HTML stays</div> and a [link](https://example.org)."""
    assert text(source) == source
    assert md.raw_myst(source) == []


def test_raw_myst_finds_what_must_not_be_left():
    for raw in ["{term}`x`", "{eval}`y`", "```{note}", ":::{admonition} T", "  ````{exercise} A", ":label: ex-1",
                ":class: tip", ":name: fig-1", ":alt: text", "(sec-label)="]:
        assert md.raw_myst(f"Text\n{raw}\nmore"), raw
    assert md.raw_myst("`{term}` in code, ``{term}`x` `` too\n\n```\n{term}`in a code block`\n```") == []


def test_assert_only_remove_cells_are_dropped():
    cells = convert(
        new_code_cell("x = 1"),
        new_code_cell("assert x == 1\n# a comment\nassert x > 0, 'positive'", metadata={"tags": ["remove-cell"]}),
        new_code_cell("y = 2\nassert y == 2", metadata={"tags": ["remove-cell"]}),
        new_code_cell("assert x == 1"),
        new_code_cell("%time assert x", metadata={"tags": ["remove-cell"]}))
    assert [c.source for c in cells] == ["x = 1", "y = 2\nassert y == 2", "assert x == 1", "%time assert x"]


@pytest.mark.parametrize("source", ["from myst_nb import glue", "import myst_nb", "import os, myst_nb.core",
                                    "%matplotlib inline\nfrom myst_nb import glue"])
def test_a_cell_that_imports_myst_nb_fails_loudly(source):
    nb = new_notebook(cells=[new_code_cell("import numpy"), new_code_cell(source)], metadata=copy.deepcopy(KERNEL))
    with pytest.raises(md.MystConversionError, match=r"06_training.ipynb, cell 1 imports myst_nb"):
        editions.student_notebook(nb, "06_training.ipynb", values={}, book=book())
    editions.student_notebook(nb, "06_training.ipynb", markdown=False)         # the book's edition may


def test_student_notebook_is_stamped_and_keeps_the_kernelspec():
    nb = new_notebook(cells=[new_markdown_cell("# Title")], metadata=copy.deepcopy(KERNEL))
    student = editions.student_notebook(nb, "09_normalisation_and_dropout.ipynb", values={}, book=book())
    assert student.metadata["nnlite"] == {"chapter": "09_normalisation_and_dropout", "number": 9, "edition": "student"}
    assert student.metadata["kernelspec"] == KERNEL["kernelspec"]


def test_the_student_edition_of_the_book_keeps_its_myst():
    nb = new_notebook(cells=[new_markdown_cell("A {term}`bias`.\n\n```{exercise} A\nB\n```"),
                             new_code_cell("assert True", metadata={"tags": ["remove-cell"]})])
    student = editions.student_notebook(nb, "01_x.ipynb", markdown=False)
    assert student.cells[0].source == nb.cells[0].source and len(student.cells) == 2


# ----------------------------------------------------------------------------------------------
# The evaluator (a real kernel)


def eval_notebook():
    return new_notebook(cells=[
        new_code_cell("z = 1.23456\nname = 'a string'"),
        new_markdown_cell('First $z =$ {eval}`f"{z:.2f}"`, {eval}`name`, {eval}`z`.'),
        new_code_cell("z = 2.5", metadata={"mystnb": {"figure": {"caption": "Now {eval}`z`."}}}),
        new_markdown_cell("Then {eval}`z * 2`, {eval}`[1, 2]`."),
        new_code_cell("z = -1"),
        new_markdown_cell("```{note}\nLast {eval}`z`.\n```"),
        new_code_cell("raise RuntimeError('cells after the last {eval} do not run')"),
    ], metadata=copy.deepcopy(KERNEL))


def test_each_eval_gets_the_value_at_its_own_point(tmp_path):
    values = evaluate.chapter_values(eval_notebook(), "01_x.ipynb", cwd=tmp_path, root=tmp_path)
    assert values == {(1, 'f"{z:.2f}"'): "1.23", (1, "name"): "a string", (1, "z"): "1.23456", (2, "z"): "2.5",
                      (3, "z * 2"): "5.0", (3, "[1, 2]"): "[1, 2]", (5, "z"): "-1"}
    cells = editions.student_notebook(eval_notebook(), "01_x.ipynb", values=values, book=book()).cells
    assert [c.source for c in cells if c.cell_type == "markdown"] == [
        "First $z =$ 1.23, a string, 1.23456.", "*Figure 1.1.* Now 2.5.", "Then 5.0, [1, 2].",
        "> **Note**\n>\n> Last -1."]


def test_the_kernel_runs_in_the_chapter_folder_with_one_blas_thread(tmp_path):
    (tmp_path / "data.txt").write_text("42")
    nb = new_notebook(cells=[new_code_cell("import os\nfrom pathlib import Path"),
                             new_markdown_cell("{eval}`Path('data.txt').read_text()` "
                                               "{eval}`os.environ['OPENBLAS_NUM_THREADS']`")],
                      metadata=copy.deepcopy(KERNEL))
    assert list(evaluate.chapter_values(nb, "01_x.ipynb", cwd=tmp_path, root=tmp_path).values()) == ["42", "1"]


def test_the_cache_is_hit_when_nothing_that_decides_the_values_changed(tmp_path, monkeypatch):
    runs = []
    real = evaluate._evaluate

    async def counted(nb, points, name, cwd, timeout):
        runs.append(name)
        return await real(nb, points, name, cwd, timeout)

    monkeypatch.setattr(evaluate, "_evaluate", counted)
    nb = eval_notebook()
    first = evaluate.chapter_values(nb, "01_x.ipynb", cwd=tmp_path, root=tmp_path)
    assert evaluate.chapter_values(nb, "01_x.ipynb", cwd=tmp_path, root=tmp_path) == first and len(runs) == 1
    assert len(list((tmp_path / evaluate.CACHE).glob("*.json"))) == 1

    nb.cells[3].source = "Reworded prose, same numbers: {eval}`z * 2`, {eval}`[1, 2]`."
    nb.cells[6].source = "print('after the last eval: does not matter')"
    assert evaluate.chapter_values(nb, "01_x.ipynb", cwd=tmp_path, root=tmp_path) == first and len(runs) == 1

    nb.cells[0].source = "z = 10.0\nname = 'other'"                           # a code cell changed: miss
    assert evaluate.chapter_values(nb, "01_x.ipynb", cwd=tmp_path, root=tmp_path)[(1, "name")] == "other"
    assert len(runs) == 2
    assert len(list((tmp_path / evaluate.CACHE).glob("*.json"))) == 1         # the stale entry is gone

    monkeypatch.setattr(editions, "library_fingerprint", lambda root=None: "nnlite changed")
    evaluate.chapter_values(nb, "01_x.ipynb", cwd=tmp_path, root=tmp_path)    # the library changed: miss
    assert len(runs) == 3


def test_a_failing_expression_names_chapter_cell_and_expression(tmp_path):
    nb = new_notebook(cells=[new_code_cell("z = 1"), new_markdown_cell("Fine {eval}`z`."),
                             new_markdown_cell("Broken {eval}`z / 0`.")], metadata=copy.deepcopy(KERNEL))
    with pytest.raises(evaluate.EvalError,
                       match=r"^04_loss.ipynb, cell 2: \{eval\}`z / 0` failed: ZeroDivisionError: division by zero$"):
        evaluate.chapter_values(nb, "04_loss.ipynb", cwd=tmp_path, root=tmp_path)
    nb.cells[0].source = "z = undefined"
    with pytest.raises(evaluate.EvalError, match=r"^04_loss.ipynb, cell 0 failed .*NameError"):
        evaluate.chapter_values(nb, "04_loss.ipynb", cwd=tmp_path, root=tmp_path)


def test_a_failing_chapter_does_not_lose_the_others_values(tmp_path, monkeypatch):
    good = new_notebook(cells=[new_code_cell("k = 7"), new_markdown_cell("{eval}`k`")], metadata=copy.deepcopy(KERNEL))
    bad = new_notebook(cells=[new_markdown_cell("{eval}`nothing`")], metadata=copy.deepcopy(KERNEL))
    with pytest.raises(evaluate.EvalError, match=r"^02_bad.ipynb, cell 0: \{eval\}`nothing` failed: NameError"):
        evaluate.evaluate_chapters([(good, "01_good.ipynb", tmp_path), (bad, "02_bad.ipynb", tmp_path)], tmp_path)

    async def no_kernel(*args):
        raise AssertionError("the good chapter was not cached")

    monkeypatch.setattr(evaluate, "_evaluate", no_kernel)
    assert evaluate.chapter_values(good, "01_good.ipynb", cwd=tmp_path, root=tmp_path) == {(1, "k"): "7"}


def test_evaluation_also_runs_from_inside_an_event_loop():
    """As in a Jupyter kernel, where a loop is already running: the evaluation gets a thread of its own."""
    async def value():
        return 42

    async def caller():
        return evaluate._run(value())

    assert asyncio.run(caller()) == 42


def test_chapters_are_evaluated_in_parallel(tmp_path):
    """Two chapters, two kernels at once: each chapter's run overlaps the other's."""
    def chapter(k):
        return new_notebook(cells=[new_code_cell(f"import time\nstart = time.time()\ntime.sleep(3)\nk = {k}"),
                                   new_markdown_cell("{eval}`k` {eval}`start` {eval}`time.time()`")],
                            metadata=copy.deepcopy(KERNEL))

    results = evaluate.evaluate_chapters([(chapter(k), f"0{k}_c.ipynb", tmp_path) for k in (1, 2)], tmp_path, jobs=2)
    assert [r[(1, "k")] for r in results] == ["1", "2"]
    runs = [(float(r[(1, "start")]), float(r[(1, "time.time()")])) for r in results]
    assert max(start for start, _ in runs) < min(end for _, end in runs), runs


def test_write_student_notebooks_end_to_end(book_root):
    (book_root / "_config.yml").write_text(f"title: A course\nhtml:\n  baseurl: {BASEURL}\n"
                                           "bibtex_bibfiles:\n  - book/references.bib\n")
    nb = new_notebook(cells=[
        new_markdown_cell("# Chapter\n\nA {term}`bias` {cite}`elman1990finding`, see {doc}`02_parameters`."),
        new_code_cell("from nnlite import check\nvalue = 3 * 7"),
        new_markdown_cell("The value is {eval}`value`."),
    ], metadata=copy.deepcopy(KERNEL))
    nbformat.write(nb, book_root / "chapters" / "03_third.ipynb")
    written = editions.write_student_notebooks(book_root / "student", root=book_root)
    assert [p.name for p in written] == ["02_parameters.ipynb", "03_third.ipynb"]
    student = nbformat.read(book_root / "student" / "03_third.ipynb", as_version=4)
    assert student_text(student) == (
        f"# Chapter\n\nA [bias]({BASEURL}/book/glossary.html#term-Bias) (Elman, 1990), see "
        f"[Parameters: weights and biases]({BASEURL}/chapters/02_parameters.html).\nThe value is 21.")
    assert student.metadata["nnlite"]["number"] == 3
    assert "figure-" in nbformat.read(book_root / "student" / "02_parameters.ipynb", as_version=4).cells[3].id


# ----------------------------------------------------------------------------------------------
# Every real chapter


@pytest.fixture(scope="module")
def real_student_notebooks(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    editions.write_student_notebooks(out, ROOT)
    return out


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_no_myst_is_left_in_the_student_notebook(real_student_notebooks, chapter):
    full = nbformat.read(chapter, as_version=4)
    student = nbformat.read(real_student_notebooks / chapter.name, as_version=4)
    for index, cell in enumerate(student.cells):
        if cell.cell_type == "markdown":
            assert md.raw_myst(cell.source) == [], f"cell {index}:\n{cell.source}"
        else:
            assert not md.imports_myst_nb(cell.source)
    captions = re.findall(r"^\*Figure (\d+)\.(\d+)\.\*", student_text(student), re.M)
    figures = [cell for cell in full.cells if cell.cell_type == "code" and md.figure_metadata(cell) is not None]
    number = int(chapter.name[:2])
    assert captions == [(str(number), str(k)) for k in range(1, len(figures) + 1)]
    exercises = re.findall(r"^### Exercise (\d+)\.(\d+)", student_text(student), re.M)
    directives = re.findall(r"^[`:]{3,}\{exercise(?:-start)?\}", "\n".join(c.source for c in full.cells
                                                                            if c.cell_type == "markdown"), re.M)
    assert exercises == [(str(number), str(k)) for k in range(1, len(directives) + 1)]
    assert student.metadata["nnlite"] == {"chapter": chapter.stem, "number": number, "edition": "student"}
    written = [e["number"] for e in editions.chapter_exercises(full, number) if e["kind"] == "written"]
    for exercise in written:                      # a place to write each written answer, right below it
        index = next(i for i, c in enumerate(student.cells) if c.cell_type == "markdown"
                     and re.match(rf"### Exercise {re.escape(exercise)} ", c.source))
        assert student.cells[index + 1].source == editions.ANSWER_CELL.format(number=exercise)
    assert len({c.id for c in student.cells}) == len(student.cells), "cell ids are unique"


def test_every_term_of_the_chapters_is_in_the_glossary():
    glossary = md.Book.load(ROOT).glossary
    missing = set()
    for chapter in CHAPTERS:
        for cell in nbformat.read(chapter, as_version=4).cells:
            for match in re.finditer(r"\{term\}`(?:[^`<]*<)?([^`<>]+)>?`", cell.source):
                if " ".join(match[1].split()).lower() not in glossary:
                    missing.add((chapter.stem, match[1]))
    assert not missing
