"""Author-year labels in the list of references, to match the author-year citations in the text.

sphinxcontrib-bibtex cites as "Rumelhart et al. [1986]" (``bibtex_reference_style: author_year``), but
its default list style labels entries alphabetically ("[RHW86]"), so a reader could not match the two.
This registers a pybtex style ``author_year`` (``bibtex_default_style`` in ``_config.yml``): pybtex's
unsrt formatting, which links each entry's ``doi``, ``url`` and arXiv ``eprint``, with labels
"Rumelhart et al., 1986", "Glorot and Bengio, 2010", sorted by author, year and title. Two entries that
would share a label get "2015a" and "2015b".
"""

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def _surname(person):
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


def author_year_label(entry):
    """"Surname, year", "A and B, year" or "A et al., year" for one pybtex entry."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    if not people:
        names = entry.fields.get("title", entry.key)
    elif len(people) == 1:
        names = _surname(people[0])
    elif len(people) == 2:
        names = f"{_surname(people[0])} and {_surname(people[1])}"
    else:
        names = f"{_surname(people[0])} et al."
    # "van Merriënboer" stays lower case inside a list of names, but a label starts with a capital.
    return f"{names[:1].upper()}{names[1:]}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year_label(entry) for entry in entries]
        counts, seen = Counter(labels), Counter()
        for label in labels:
            if counts[label] > 1:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabelStyle
    default_sorting_style = "author_year_title"


register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)


def setup(app):
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
