"""MyST Markdown to plain Markdown, for the student notebooks.

The chapters are written in MyST: glossary terms, citations, cross-references, admonitions,
sphinx-exercise exercises, numbers computed by ``{eval}`` and figures captioned through myst-nb cell
metadata. A student opens the notebooks in whatever front end they have (JupyterLab, Notebook 7,
VS Code, Colab), with no extension, so the editions step rewrites every markdown cell as plain Markdown
with ``$…$`` maths:

- ``{term}`text <entry>``` becomes a link to the book's glossary when ``_config.yml`` sets
  ``html.baseurl``, otherwise ``*text*``;
- ``{eval}`expr``` becomes the value ``expr`` has at that point of the executed chapter
  (see :mod:`tools.evaluate`);
- ``{cite:p}`` / ``{cite:t}`` become "(Author et al., 2016)" / "Author et al. (2016)";
- ``{doc}``, ``{ref}`` and ``{numref}`` become their text, linked to the book when there is a baseurl;
- admonitions become quote blocks with a bold title, exercises (written, and gated ones around code
  cells) numbered headings (``### Exercise 2.1 · Title · ★★☆``, the numbers the book prints), figure
  cells get a ``*Figure 2.1.* caption`` cell after them; ``(label)=`` targets and ``% comments`` go.

A role or directive this module does not know is an error naming the notebook and cell, so no MyST
reaches a student unnoticed. Solutions (``{solution}``, ``{solution-start}``/``{solution-end}``) are
passed through untouched at the top level of a cell: :mod:`tools.editions` removes them afterwards.
"""

import ast
import hashlib
import posixpath
import re
import unicodedata
from pathlib import Path

GLOSSARY = "book/glossary"                 # the glossary page, relative to the book root, no suffix
ADMONITIONS = {"admonition": None, "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important",
               "warning": "Warning", "caution": "Caution", "attention": "Attention", "danger": "Danger",
               "error": "Error", "seealso": "See also", "dropdown": "Details", "margin": None, "sidebar": None,
               "topic": None}
SOLUTIONS = {"solution", "solution-start", "solution-end"}
CODE_DIRECTIVES = {"code", "code-block", "sourcecode"}

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:.+-]+)\}(?P<arg>.*)$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):(?:[ \t]+(?P<value>.*))?$")
_TARGET = re.compile(r"^[ \t]*\((?P<label>[^()\s]+)\)=[ \t]*$")
_COMMENT = re.compile(r"^[ \t]*%")
_BLOCK_BREAK = re.compile(r"^[ \t]*\+\+\+")
_MATH = re.compile(r"^[ \t]*\$\$")
_MATH_LABEL = re.compile(r"(\$\$)[ \t]*\([^()\s]+\)[ \t]*$")
_INLINE = re.compile(r"\{(?P<role>[A-Za-z][\w:.+-]*)\}(?P<ticks>`+)|(?P<code>`+)|\\.", re.S)
_TITLE_TARGET = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(?P<text>.*?)[ \t#]*$")
_CHAPTER = re.compile(r"^(?P<number>\d+)_")

# Raw MyST, as it must not appear in a student notebook: roles, directive fences, directive options at
# the start of a line, and (label)= targets.
RAW_MYST = re.compile(r"\{[A-Za-z][\w:.+-]*\}`|^[ \t]*(?:`{3,}|~{3,}|:{3,})[ \t]*\{|"
                      r"^[ \t]*:(?:label|class|name|alt|nonumber|width|align):(?:\s|$)|^[ \t]*\([^()\s]+\)=[ \t]*$",
                      re.M)


class MystConversionError(ValueError):
    """A chapter uses MyST that has no plain-Markdown form here; the message names the notebook and cell."""


# ----------------------------------------------------------------------------------------------
# What the book knows: glossary, references, titles, labels


def _fallback_make_id(string):
    """Sphinx's ``_make_id`` without docutils' transliteration of a few letters (ø, ł, ...)."""
    string = unicodedata.normalize("NFKD", string).encode("ascii", "ignore").decode("ascii")
    string = re.sub(r"[^a-zA-Z0-9._]+", "-", " ".join(string.split()))
    return re.sub(r"^[-0-9._]+|-+$", "", string)


def term_id(term):
    """The HTML id Sphinx gives the glossary entry ``term`` (``Hidden layer`` -> ``term-Hidden-layer``)."""
    try:
        from sphinx.util.nodes import _make_id
    except ImportError:
        _make_id = _fallback_make_id
    return _make_id(f"term-{term}")


def glossary_terms(text):
    """The terms of the ``{glossary}`` directives in a page: {lower-case term: term as written}."""
    terms = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        directive = match and _DIRECTIVE.match(match["info"].strip())
        if directive and directive["name"] == "glossary":
            end = _closing(lines, i, match["fence"])
            for line in lines[i + 1:end]:
                if line.strip() and not line[0].isspace() and not _OPTION.match(line):
                    terms.setdefault(line.strip().lower(), line.strip())
            i = end
        i += 1
    return terms


_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "c": "\u0327"}


def _bib_text(value):
    """A BibTeX value as text: braces dropped, common accents (``{\\"u}``) composed."""
    value = re.sub(r"\\([\"'`^~c])\s*\{?([A-Za-z])\}?",
                   lambda m: unicodedata.normalize("NFC", m[2] + _ACCENTS[m[1]]), value)
    return " ".join(value.replace("{", "").replace("}", "").replace("\\", "").split())


def _balanced(text, start):
    """Index just past the brace that closes the one at ``text[start]``."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return len(text)


def parse_bibtex(text):
    """A BibTeX file, simply: {key: {field: raw value}} (field names in lower case)."""
    entries = {}
    for match in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        if match[1].lower() in ("comment", "string", "preamble"):
            continue
        body = text[match.end():_balanced(text, match.start() + match[0].index("{")) - 1]
        fields, i = {}, 0
        for field in re.finditer(r"(\w+)\s*=\s*", body):
            if field.start() < i:
                continue
            start = field.end()
            if start < len(body) and body[start] == "{":
                i = _balanced(body, start)
                value = body[start + 1:i - 1]
            elif start < len(body) and body[start] == '"':
                i = body.find('"', start + 1) + 1 or len(body)
                value = body[start + 1:i - 1]
            else:
                value = re.match(r"[^,\s}]*", body[start:])[0]
                i = start + len(value)
            fields[field[1].lower()] = value
        entries[match[2]] = fields
    return entries


def _split_top(text, separator):
    """``text`` split on the regex ``separator`` where it is outside braces."""
    parts, depth, last = [], 0, 0
    for match in re.finditer(r"[{}]|" + separator, text):
        if match[0] == "{":
            depth += 1
        elif match[0] == "}":
            depth -= 1
        elif depth == 0:
            parts.append(text[last:match.start()])
            last = match.end()
    parts.append(text[last:])
    return [p.strip() for p in parts if p.strip()]


def last_name(name):
    """The surname of one BibTeX name: ``He, Kaiming`` and ``Kaiming He`` -> ``He``,
    ``Laurens van der Maaten`` -> ``van der Maaten``, ``{OpenAI Team}`` -> ``OpenAI Team``."""
    name = name.strip()
    if name.startswith("{") and _balanced(name, 0) == len(name):
        return _bib_text(name)
    parts = _split_top(name, ",")
    if len(parts) > 1:
        return _bib_text(parts[0])
    words = _split_top(name, r"\s+")
    surname = [words[-1]]
    for word in reversed(words[:-1]):
        if word[:1].islower():
            surname.insert(0, word)
        else:
            break
    return _bib_text(" ".join(surname))


def citation_label(fields):
    """(authors, year) of a reference as the book's author-year style prints them."""
    people = fields.get("author") or fields.get("editor") or fields.get("organization") or "Anonymous"
    names = [last_name(n) for n in _split_top(people, r"\s+and\s+")]
    if len(names) == 1:
        authors = names[0]
    elif len(names) == 2:
        authors = f"{names[0]} and {names[1]}"
    else:
        authors = f"{names[0]} et al."
    return authors, _bib_text(fields.get("year", "n.d."))


def _title_of(text):
    """The first level-1 heading of a markdown text, with roles reduced to their text."""
    for line in text.split("\n"):
        if re.match(r"^#[ \t]+\S", line):
            title = line[1:].strip()
            return re.sub(r"\{[\w:.+-]+\}`([^`]*?)(?:\s*<[^<>]*>)?`", r"\1", title)
    return None


class Book:
    """What a chapter's MyST refers to: the glossary, the references, other pages' titles and labels.

    ``baseurl`` is where the built book is published (``html.baseurl`` in _config.yml); with one, terms,
    documents and references become links to it, without one plain text.
    """

    def __init__(self, root=None, baseurl="", glossary=None, references=None):
        self.root = Path(root) if root else None
        self.baseurl = (baseurl or "").rstrip("/")
        self.glossary = glossary or {}
        self.references = references or {}
        self._titles = {}
        self._labels = None

    @classmethod
    def load(cls, root, baseurl=None):
        """The book at ``root``: its _config.yml, book/glossary.md and bibliography files."""
        import yaml

        root = Path(root)
        config_path = root / "_config.yml"
        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
        config = config or {}
        if baseurl is None:
            baseurl = str((config.get("html") or {}).get("baseurl") or "")
        glossary_path = root / f"{GLOSSARY}.md"
        glossary = glossary_terms(glossary_path.read_text(encoding="utf-8")) if glossary_path.exists() else {}
        references = {}
        for bib in config.get("bibtex_bibfiles") or []:
            if (root / bib).exists():
                references.update(parse_bibtex((root / bib).read_text(encoding="utf-8")))
        return cls(root, baseurl, glossary, references)

    def url(self, docname, anchor=""):
        """The address of a page of the built book (``docname`` relative to its root, no suffix)."""
        return f"{self.baseurl}/{docname}.html" + (f"#{anchor}" if anchor else "")

    def title(self, docname):
        """The title of a page of the book, or None when it cannot be found."""
        if docname not in self._titles:
            title = None
            if self.root:
                if (self.root / f"{docname}.ipynb").exists():
                    import nbformat

                    nb = nbformat.read(self.root / f"{docname}.ipynb", as_version=4)
                    for cell in nb.cells:
                        if cell.cell_type == "markdown" and title is None:
                            title = _title_of(cell.source)
                elif (self.root / f"{docname}.md").exists():
                    title = _title_of((self.root / f"{docname}.md").read_text(encoding="utf-8"))
            self._titles[docname] = title
        return self._titles[docname]

    def labels(self):
        """Every label of every chapter: {label: (text, docname, anchor)}; read once."""
        if self._labels is None:
            import nbformat

            self._labels = {}
            if self.root:
                for path in sorted(Path(self.root, "chapters").glob("[0-9][0-9]_*.ipynb")):
                    nb = nbformat.read(path, as_version=4)
                    self._labels.update(scan(nb, path.name).labels)
        return self._labels


# ----------------------------------------------------------------------------------------------
# Blocks


def _closing(lines, start, fence):
    """Index of the line that closes the fence ``fence`` opened at ``lines[start]``; ``len(lines)`` when
    nothing closes it (the block runs to the end of the text, as in MyST)."""
    for i in range(start + 1, len(lines)):
        text = lines[i].strip()
        if text and set(text) == {fence[0]} and len(text) >= len(fence):
            return i
    return len(lines)


def _is_fence(match):
    """Whether a line that starts with ```, ~~~ or ::: opens a block: a code fence (no backtick in a
    backtick fence's info string) or a directive (colon fences only as directives)."""
    info = match["info"].strip()
    if match["fence"][0] == ":":
        return info.startswith("{")
    return not (match["fence"][0] == "`" and "`" in info)


def _math_end(lines, start):
    """Index of the line that closes the ``$$`` block opened at ``lines[start]``."""
    rest = lines[start].strip()[2:]
    if "$$" in rest:
        return start
    for i in range(start + 1, len(lines)):
        if "$$" in lines[i]:
            return i
    return len(lines) - 1


def _dedent(lines, indent):
    return [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines]


def _indent(lines, indent):
    return [indent + line if line.strip() else line for line in lines]


def _trim(lines):
    """``lines`` without blank lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def directive_options(body):
    """A directive's body split into its options ({key: value}) and its content lines."""
    options, i = {}, 0
    if body and body[0].strip() == "---":
        end = next((k for k in range(1, len(body)) if body[k].strip() == "---"), None)
        if end is not None:
            for line in body[1:end]:
                key, _, value = line.partition(":")
                if key.strip():
                    options[key.strip()] = value.strip()
            i = end + 1
    else:
        while i < len(body) and _OPTION.match(body[i].strip()):
            match = _OPTION.match(body[i].strip())
            options[match["key"]] = (match["value"] or "").strip()
            i += 1
    return options, _trim(body[i:])


def _anchor(label):
    """The HTML id of a label (docutils' rules: lower case, runs of other characters become '-')."""
    return re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", label).lower()).strip("-")


def _code_span(text):
    ticks = max((len(run) for run in re.findall(r"`+", text)), default=0) + 1
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{'`' * ticks}{pad}{text}{pad}{'`' * ticks}"


class Chapter:
    """Converts the markdown of one chapter, cell after cell, keeping the count of exercises and figures.

    ``values`` maps (cell index, expression) to the text of each ``{eval}`` (see :mod:`tools.evaluate`).
    With ``scanning`` the roles are not resolved: a scan only collects the ``{eval}`` expressions, labels
    and numbers of a chapter.
    """

    def __init__(self, name="a notebook", book=None, values=None, nb=None, scanning=False):
        self.name = name
        self.stem = Path(name).stem
        number = _CHAPTER.match(self.stem)
        self.number = int(number["number"]) if number else None
        self.docname = f"chapters/{self.stem}"
        self.book = book or Book()
        self.values = values or {}
        self.nb = nb
        self.scanning = scanning
        self.exercises = 0
        self.figures = 0
        self.cell = None
        self.evals = {}                 # cell index -> [expressions], in the order they appear
        self.labels = {}                # label -> (text, docname, anchor)
        self._own_labels = None

    # -- errors and numbers

    def error(self, message):
        where = f"{self.name}, cell {self.cell}" if self.cell is not None else self.name
        return MystConversionError(f"{where}: {message}")

    def _numbered(self, count):
        return f"{self.number}.{count}" if self.number is not None else str(count)

    # -- one markdown text

    def convert(self, text, cell=None):
        """One markdown cell's source (or a caption) as plain Markdown."""
        self.cell = cell
        return "\n".join(_trim(self._blocks(text.split("\n"), 0)))

    def _blocks(self, lines, depth):
        out, chunk = [], []

        def flush():
            if chunk:
                add(self.inline("\n".join(chunk)).split("\n"))
                chunk.clear()

        def add(lines):
            if out and not out[-1].strip():
                while lines and not lines[0].strip():
                    lines = lines[1:]
            out.extend(lines)

        i = 0
        while i < len(lines):
            line = lines[i]
            fence = _FENCE_OPEN.match(line)
            if fence and _is_fence(fence):
                flush()
                end = _closing(lines, i, fence["fence"])
                directive = _DIRECTIVE.match(fence["info"].strip())
                if directive:
                    add(self._directive(directive["name"], directive["arg"].strip(), lines[i:end + 1],
                                        lines[i + 1:end], fence["indent"], depth))
                else:
                    add(lines[i:end + 1])                               # a code block, verbatim
                i = end + 1
            elif _MATH.match(line):
                flush()
                end = _math_end(lines, i)
                out.extend(lines[i:end] + [_MATH_LABEL.sub(r"\1", lines[end])])   # $$ ... $$ (label): no label
                i = end + 1
            elif _TARGET.match(line):
                flush()
                self._target(_TARGET.match(line)["label"], lines[i + 1:])
                i += 1
                while i < len(lines) and not lines[i].strip() and out and not out[-1].strip():
                    i += 1
            elif _COMMENT.match(line) or _BLOCK_BREAK.match(line):
                flush()
                i += 1
            else:
                chunk.append(line)
                i += 1
        flush()
        return out

    def _target(self, label, following):
        """A ``(label)=`` target: remembered with the heading after it, and dropped."""
        text = label
        for line in following:
            if line.strip():
                heading = _HEADING.match(line)
                if heading:
                    text = re.sub(r"\{[\w:.+-]+\}`([^`]*?)(?:\s*<[^<>]*>)?`", r"\1", heading["text"])
                break
        self.labels[label] = (text, self.docname, _anchor(label))

    def _directive(self, name, arg, raw, body, indent, depth):
        """The Markdown for a directive: ``raw`` its lines as written, ``body`` those between its fences."""
        if name in SOLUTIONS:                 # removed by the editions step, which needs them as written
            return raw if depth == 0 else []
        body = _dedent(body, indent)
        options, content = directive_options(body)
        if name == "exercise" or name == "exercise-start":
            lines = [self._exercise(arg, options), ""] + _trim(self._blocks(content, depth + 1))
            return _indent(lines if name == "exercise-start" else _trim(lines), indent)   # text may follow a start
        if name == "exercise-end":
            return []
        if name in ADMONITIONS:
            if name in ("admonition", "dropdown", "margin", "sidebar", "topic"):
                title = arg or ADMONITIONS[name] or name.capitalize()
            else:
                title = ADMONITIONS[name]
                if arg:
                    content = [arg] + content             # {note} Some text: the text starts the body
            inner = _trim(self._blocks(content, depth + 1))
            quoted = [f"> **{self.inline(title)}**"] + ([">"] if inner else [])
            quoted += [f"> {line}" if line.strip() else ">" for line in inner]
            return _indent(quoted, indent)
        if name == "figure" or name == "image":
            alt = options.get("alt", "")
            lines = [f"![{alt}]({arg})"]
            if name == "figure":
                lines += ["", self.figure_caption("\n".join(content), options.get("name"))]
            return _indent(lines, indent)
        if name == "math":
            return _indent(["$$"] + content + ["$$"], indent)
        if name in CODE_DIRECTIVES:
            ticks = "`" * max(3, max((len(r) for line in content for r in re.findall(r"`{3,}", line)), default=0) + 1)
            return _indent([ticks + arg] + content + [ticks], indent)
        if name in ("epigraph", "pull-quote", "highlights"):
            inner = _trim(self._blocks(content, depth + 1))
            return _indent([f"> {line}" if line.strip() else ">" for line in inner], indent)
        if name == "raw":
            return _indent(content, indent) if arg.lower() == "html" else []
        if name.startswith("glue"):
            raise self.error(f"the {{{name}}} directive needs myst_nb's glue; caption the figure through the "
                             "cell's mystnb metadata and compute numbers with {eval}.")
        raise self.error(f"the directive {{{name}}} has no plain-Markdown form for the student notebooks.")

    def _exercise(self, arg, options):
        """The heading of an exercise; its number is the one sphinx-exercise prints in the book."""
        title = self.inline(" ".join(arg.split())) if arg else ""
        if "nonumber" in options:
            heading = "Exercise"
        else:
            self.exercises += 1
            heading = f"Exercise {self._numbered(self.exercises)}"
            if options.get("label"):
                self.labels[options["label"]] = (heading, self.docname, _anchor(options["label"]))
        return f"### {heading} · {title}" if title else f"### {heading}"

    def figure_caption(self, caption, name=None):
        """``*Figure 2.3.* caption``: the next figure number of the chapter and its converted caption."""
        self.figures += 1
        number = f"Figure {self._numbered(self.figures)}"
        if name:
            self.labels[name] = (number, self.docname, _anchor(name))
        text = "\n".join(_trim(self._blocks(caption.split("\n"), 1))) if caption.strip() else ""
        return f"*{number}.* {text}".rstrip()

    # -- inline

    def inline(self, text):
        """``text`` with every role replaced; code spans are left alone."""
        out, i = [], 0
        while True:
            match = _INLINE.search(text, i)
            if not match:
                out.append(text[i:])
                return "".join(out)
            out.append(text[i:match.start()])
            ticks = match["ticks"] or match["code"]
            close = re.compile(rf"(?<!`){ticks}(?!`)").search(text, match.end()) if ticks else None
            if match["role"] and close:
                out.append(self.role(match["role"], text[match.end():close.start()]))
                i = close.end()
            elif match["code"] and close:
                out.append(text[match.start():close.end()])              # a code span, verbatim
                i = close.end()
            else:
                out.append(match[0])
                i = match.end()

    def role(self, name, content):
        if name == "eval":
            expression = content
            self.evals.setdefault(self.cell, [])
            if expression not in self.evals[self.cell]:
                self.evals[self.cell].append(expression)
            if self.scanning:
                return "…"
            if (self.cell, expression) not in self.values:
                raise self.error(f"no value for {{eval}}`{expression}`: the chapter was not evaluated.")
            return self.values[(self.cell, expression)]
        if self.scanning:
            return content
        title, target = content, None
        split = _TITLE_TARGET.match(content)
        if split and name in ("term", "doc", "ref", "numref", "download"):
            title, target = split["title"], split["target"].strip()
        if name == "term":
            return self._term(title, target or title)
        if name in ("cite", "cite:p", "cite:ps", "cite:t", "cite:ts", "cite:alp", "cite:alt",
                    "cite:author", "cite:authors", "cite:year", "cite:cite"):
            return self._cite(name, content)
        if name == "doc":
            return self._doc(title if target else None, target or content)
        if name in ("ref", "numref"):
            return self._ref(name, title if target else None, target or content)
        if name == "math":
            return f"${content}$"
        if name in ("code", "samp", "file", "literal"):
            return _code_span(content)
        if name in ("sub", "sup", "kbd"):
            return f"<{name}>{content}</{name}>"
        if name in ("abbr", "guilabel", "menuselection", "dfn", "emphasis"):
            return f"*{content}*" if name in ("guilabel", "dfn", "emphasis") else content
        if name == "strong":
            return f"**{content}**"
        if name == "download":
            return title
        raise self.error(f"the role {{{name}}} has no plain-Markdown form for the student notebooks.")

    def _term(self, text, entry):
        text = " ".join(text.split())
        if not self.book.baseurl:
            return f"*{text}*"
        term = self.book.glossary.get(" ".join(entry.split()).lower(), " ".join(entry.split()))
        return f"[{text}]({self.book.url(GLOSSARY, term_id(term))})"

    def _cite(self, name, content):
        labels = []
        for key in (k.strip() for k in content.split(",")):
            if not key:
                continue
            if key not in self.book.references:
                raise self.error(f"{{{name}}}`{content}`: no reference {key!r} in the bibliography.")
            labels.append(citation_label(self.book.references[key]))
        if name in ("cite:t", "cite:ts"):
            return ", ".join(f"{authors} ({year})" for authors, year in labels)
        if name in ("cite:author", "cite:authors"):
            return ", ".join(authors for authors, _ in labels)
        if name == "cite:year":
            return ", ".join(year for _, year in labels)
        inner = "; ".join(f"{authors}, {year}" for authors, year in labels)
        return inner if name in ("cite:alp", "cite:alt", "cite:cite") else f"({inner})"

    def _docname(self, target):
        target = re.sub(r"\.(ipynb|md)$", "", target.strip())
        if target.startswith("/"):
            return posixpath.normpath(target.lstrip("/"))
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.docname), target))

    def _doc(self, text, target):
        docname = self._docname(target)
        text = " ".join((text or self.book.title(docname) or docname.rsplit("/", 1)[-1]).split())
        return f"[{text}]({self.book.url(docname)})" if self.book.baseurl else text

    def _ref(self, name, text, label):
        found = self._label(label)
        if found is None:
            raise self.error(f"{{{name}}}`{label}`: no such label in the chapters.")
        label_text, docname, anchor = found
        if text is None:
            text = label_text
        elif "%s" in text or "{number}" in text:
            number = label_text.split(" ", 1)[-1]
            text = text.replace("%s", number).replace("{number}", number)
        text = " ".join(text.split())
        return f"[{text}]({self.book.url(docname, anchor)})" if self.book.baseurl else text

    def _label(self, label):
        if label in self.labels:
            return self.labels[label]
        if self._own_labels is None:          # a label further down this chapter
            self._own_labels = scan(self.nb, self.name).labels if self.nb is not None else {}
        if label in self._own_labels:
            return self._own_labels[label]
        return self.book.labels().get(label)


# ----------------------------------------------------------------------------------------------
# Whole notebooks


def figure_metadata(cell):
    """The myst-nb figure options of a code cell ({caption, name}), or None."""
    figure = (cell.get("metadata", {}).get("mystnb") or {}).get("figure")
    return figure if isinstance(figure, dict) else None


def is_assert_only(source):
    """Whether a code cell holds nothing but ``assert`` statements (and comments)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return bool(tree.body) and all(isinstance(node, ast.Assert) for node in tree.body)


def imports_myst_nb(source):
    """Whether a code cell imports myst_nb (which a student's environment does not have)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:                     # IPython magics: fall back to the lines themselves
        return bool(re.search(r"^\s*(from\s+myst_nb\b|import\s+(.*[\s,])?myst_nb\b)", source, re.M))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "myst_nb" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "myst_nb":
            return True
    return False


def check_no_myst_nb(nb, name="a notebook"):
    """Raise MystConversionError if a code cell of ``nb`` imports myst_nb."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and imports_myst_nb(cell.source):
            raise MystConversionError(
                f"{name}, cell {index} imports myst_nb, which a student's environment does not have: "
                "compute the prose's numbers with {eval} and caption figures through the cell's mystnb "
                "metadata instead of glue.")


def _walk(nb, chapter):
    """Convert ``nb``'s cells in place through ``chapter``; returns the new list of cells."""
    from nbformat.v4 import new_markdown_cell

    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            text = chapter.convert(cell.source, index)
            if text.strip():
                cell.source = text
                cells.append(cell)
            continue
        if cell.cell_type == "code" and "remove-cell" in cell.metadata.get("tags", []) \
                and is_assert_only(cell.source):
            continue                          # keeps the book honest; nothing for a student to read
        cells.append(cell)
        figure = figure_metadata(cell) if cell.cell_type == "code" else None
        if figure is not None:
            chapter.cell = index
            caption = new_markdown_cell(chapter.figure_caption(str(figure.get("caption") or ""),
                                                               figure.get("name")))
            seed = str(cell.get("id") or f"{chapter.name}:{index}")
            caption["id"] = "figure-" + hashlib.sha1(seed.encode()).hexdigest()[:12]
            if nb.get("nbformat_minor", 5) < 5:
                del caption["id"]
            cells.append(caption)
    return cells


def scan(nb, name="a notebook"):
    """A conversion pass that resolves nothing: the chapter's ``{eval}`` expressions, labels and counts."""
    import copy

    chapter = Chapter(name, scanning=True)
    _walk(copy.deepcopy(nb), chapter)
    return chapter


def eval_points(nb, name="a notebook"):
    """Where a notebook's ``{eval}`` expressions are evaluated: [(cell index, [expressions])], in order.

    A markdown cell's expressions are evaluated when it is reached (after the code cells before it); a
    figure caption's after its own code cell has run.
    """
    evals = scan(nb, name).evals
    return [(index, evals[index]) for index in sorted(evals)]


def convert_notebook(nb, name="a notebook", book=None, values=None):
    """``nb`` (changed in place, and returned) with plain Markdown in place of MyST: see the module's doc."""
    chapter = Chapter(name, book=book, values=values, nb=nb)
    nb.cells = _walk(nb, chapter)
    return nb


def raw_myst(text):
    """The pieces of raw MyST syntax left in a markdown text (empty when it is plain Markdown). Code
    blocks and code spans may show anything."""
    prose, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if opening and _is_fence(opening) and not _DIRECTIVE.match(opening["info"].strip()):
            i = _closing(lines, i, opening["fence"]) + 1           # a code block
            continue
        prose.append(lines[i])
        i += 1
    prose = re.sub(r"(?<![}`])(`+)(?!`).*?(?<!`)\1(?!`)", "", "\n".join(prose), flags=re.S)
    return [match[0] for match in RAW_MYST.finditer(prose)]
