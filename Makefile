# Two commands do all set-up:  make book  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EDITION ?= full
STAMP := $(VENV)/.installed

.PHONY: book test student bench clean clean-book venv

venv: $(STAMP)

# (Re)install when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The book, with Sphinx warnings as errors. EDITION=student leaves the solutions out.
book: $(STAMP)
	$(BIN)/python -m nnlite.editions book --edition $(EDITION)

test: $(STAMP)
	$(BIN)/python -m pytest

student: $(STAMP)
	$(BIN)/python -m nnlite.editions student

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean-book:
	rm -rf _build

clean: clean-book
	rm -rf student .pytest_cache
