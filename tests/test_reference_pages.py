"""The glossary and the references: every glossary entry links to the chapter that introduces it, and
the list of references labels its entries as the text cites them (author, year), with their links."""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "book" / "glossary.md"
BIB = ROOT / "book" / "references.bib"
CHAPTER_LINK = re.compile(r"\[Chapter (\d+): ([^\]]+)\]\(\.\./chapters/((\d\d)_\w+)\.ipynb\)")


def glossary_entries():
    """{term: definition} of the {glossary} block."""
    text = GLOSSARY.read_text(encoding="utf-8")
    body = text.split("```{glossary}\n", 1)[1].split("\n```", 1)[0]
    entries = {}
    for block in re.split(r"\n\s*\n", body):
        lines = block.strip("\n").split("\n")
        if lines[0].startswith(":") or not lines[0].strip():
            continue                                    # the :sorted: option
        entries[lines[0].strip()] = "\n".join(lines[1:])
    return entries


def toc_chapters():
    return re.findall(r"file:\s*chapters/(\S+)", (ROOT / "_toc.yml").read_text())


def chapter_markdown(stem):
    cells = json.loads((ROOT / "chapters" / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def chapter_title(stem):
    return next(line[2:].strip() for line in chapter_markdown(stem).splitlines() if line.startswith("# "))


def first_term_use():
    """{term, lower case: the first chapter (in reading order) whose prose links it with {term}}."""
    first = {}
    for stem in toc_chapters():
        for role in re.findall(r"\{term\}`([^`]*)`", chapter_markdown(stem)):
            target = re.search(r"<([^>]*)>\s*$", role)
            term = " ".join((target.group(1) if target else role).split()).lower()
            first.setdefault(term, stem)
    return first


def test_the_glossary_has_entries():
    entries = glossary_entries()
    assert len(entries) > 50, f"only {len(entries)} glossary entries parsed"
    for needed in ("Early stopping", "Weight decay", "Validation set", "Gradient clipping", "GRU"):
        assert needed in entries, f"the glossary has no entry {needed!r}"


@pytest.mark.parametrize("term", sorted(glossary_entries()))
def test_glossary_entry_links_to_its_chapter(term):
    definition = glossary_entries()[term]
    links = CHAPTER_LINK.findall(definition)
    assert links, f"glossary entry {term!r} has no link [Chapter N: Title](../chapters/NN_name.ipynb)"
    for number, title, stem, file_number in links:
        assert stem in toc_chapters(), f"{term!r} links to {stem}, which is not a chapter in _toc.yml"
        assert int(number) == int(file_number), f"{term!r}: the link says Chapter {number} for {stem}"
        assert title == chapter_title(stem), f"{term!r}: the link calls {stem} {title!r}"
        text = chapter_markdown(stem).lower()
        assert term.lower() in text, f"{term!r} links to {stem}, which never mentions it"
    first = first_term_use().get(term.lower())
    if first is not None:
        assert first in [link[2] for link in links], \
            f"{term!r} is first used (as a term) in {first}, but the glossary links to {[l[2] for l in links]}"


def test_glossary_maths_is_maths():
    """No formula in plain text: subscripts and products belong in $...$."""
    for term, definition in glossary_entries().items():
        prose = re.sub(r"\$[^$]*\$|`[^`]*`|\[[^\]]*\]\([^)]*\)", "", definition)
        for raw in ("_{", "h_t", " * ", "Y = X"):
            assert raw not in prose, f"glossary entry {term!r} has plain-text maths {raw!r}: use $...$"


# ------------------------------------------------------------------------------------------------
# References


def bibliography():
    pybtex = pytest.importorskip("pybtex.database")
    return pybtex.parse_file(str(BIB))


def author_year_style():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import author_year
    finally:
        sys.path.pop(0)
    return author_year


def test_labels_are_author_year_and_unique():
    style = author_year_style().AuthorYearStyle()
    formatted = list(style.format_entries(bibliography().entries.values()))
    labels = [entry.label for entry in formatted]
    assert len(labels) == len(set(labels)), f"two references share a label: {labels}"
    for entry in formatted:
        assert re.fullmatch(r"[A-Z][\w'. -]+( and [\w'. -]+| et al\.)?, \d{4}[a-z]?", entry.label), \
            f"{entry.key}: label {entry.label!r} is not author-year"
    label = dict(zip((e.key for e in formatted), labels))
    assert label["rumelhart1986learning"] == "Rumelhart et al., 1986"
    assert label["glorot2010understanding"] == "Glorot and Bengio, 2010"
    assert label["elman1990finding"] == "Elman, 1990"


def test_labels_tell_apart_one_authors_papers_of_one_year():
    from pybtex.database import parse_string

    bib = parse_string("""
        @article{a, author = {Smith, Ann and Jones, Bo and Wu, Cy}, title = {One}, journal = {J}, year = {2020}}
        @article{b, author = {Smith, Ann and Lee, Di and Wu, Cy}, title = {Two}, journal = {J}, year = {2020}}
    """, "bibtex")
    labels = [e.label for e in author_year_style().AuthorYearStyle().format_entries(bib.entries.values())]
    assert labels == ["Smith et al., 2020a", "Smith et al., 2020b"]


# Published where no DOI, stable URL or arXiv id is known to us; every other entry carries a link.
NO_KNOWN_LINK = {"nair2010rectified"}


def test_references_carry_their_links():
    entries = bibliography().entries
    unlinked = sorted(key for key, entry in entries.items()
                      if not {"doi", "url", "eprint"} & {f.lower() for f in entry.fields})
    assert unlinked == sorted(NO_KNOWN_LINK & set(entries)), f"references without doi, url or eprint: {unlinked}"
    for key, entry in entries.items():
        fields = {f.lower(): v for f, v in entry.fields.items()}
        if "eprint" in fields:
            assert re.fullmatch(r"\d{4}\.\d{4,5}", fields["eprint"]), f"{key}: eprint is not an arXiv id"
            assert fields.get("archiveprefix") == "arXiv", f"{key}: eprint without archivePrefix = {{arXiv}}"
        if "doi" in fields:
            assert re.fullmatch(r"10\.\d{4,5}/\S+", fields["doi"]), f"{key}: doi {fields['doi']!r} is malformed"
        if "url" in fields:
            assert fields["url"].startswith("https://"), f"{key}: url is not https"


@pytest.mark.book
def test_built_references_are_labelled_author_year(built_book):
    page = (built_book / "book" / "bibliography.html").read_text(encoding="utf-8")
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>(.*?)<span', page)
    assert len(labels) == len(bibliography().entries), f"{len(labels)} labels on the page"
    assert all(re.search(r", \d{4}[a-z]?$", label) for label in labels), f"labels: {labels}"
    assert 'href="https://doi.org/10.1038/323533a0"' in page
    assert 'href="https://arxiv.org/abs/1412.6980"' in page


@pytest.mark.book
def test_built_glossary_links_chapters(built_book):
    page = (built_book / "book" / "glossary.html").read_text(encoding="utf-8")
    targets = set(re.findall(r'href="\.\./chapters/(\w+)\.html', page))
    linked = {link[2] for definition in glossary_entries().values() for link in CHAPTER_LINK.findall(definition)}
    assert linked <= targets, f"the built glossary has no link to {sorted(linked - targets)}"
