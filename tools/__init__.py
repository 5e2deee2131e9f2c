"""The book's own tooling: editions (the book, the student notebooks, the student edition).

Not part of the ``nnlite`` package a student installs; run from the repository root, e.g.
``python -m tools.editions student``.
"""
