"""Build the book and the student notebooks from one source.

    python -m nnlite.editions book [--edition full|student]   # the book into _build/html
    python -m nnlite.editions student                         # student notebooks into student/

Used by ``make book`` and ``make student``. Needs the course requirements (jupyter-book, nbformat).
"""

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_book(edition="full", root=ROOT):
    """Run Jupyter Book v1 with Sphinx warnings as errors; returns the exit code."""
    if edition not in ("full", "student"):
        raise SystemExit(f"Unknown edition {edition!r}: use full or student.")
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [str(jb), "build", str(root), "--warningiserror", "--keep-going"]
    return subprocess.call(command, cwd=root)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnlite.editions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    book = sub.add_parser("book", help="build the book into _build/html")
    book.add_argument("--edition", default="full", choices=["full", "student"])
    args = parser.parse_args(argv)
    if args.command == "book":
        return build_book(args.edition)
    return 2


if __name__ == "__main__":
    sys.exit(main())
