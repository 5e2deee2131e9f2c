# Two commands do all set-up:  make book  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EDITION ?= full
STAMP := $(VENV)/.installed

.PHONY: book test student bundle grade bench clean clean-book venv lite lite-cache

venv: $(STAMP)

# The course's models are small: one BLAS thread per process beats several threads contending for
# a laptop's cores (a conv step on MNIST-1D: 2.3 ms with one thread, 65-110 ms with two on a busy
# 2-core machine). Benchmarks choose their own threads.
book test student bundle lite: export OPENBLAS_NUM_THREADS := 1
book test student bundle lite: export OMP_NUM_THREADS := 1

# (Re)install when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The book, with Sphinx warnings as errors. EDITION=student leaves the solutions out.
book: $(STAMP)
	$(BIN)/python -m tools.editions book --edition $(EDITION)

test: $(STAMP)
	$(BIN)/python -m pytest

student: $(STAMP)
	$(BIN)/python -m tools.editions student

# The course bundle for a JupyterHub or Colab: student notebooks, the nnlite wheel and a README for
# students, in _build/bundle/nnlite-course.zip.
bundle: $(STAMP)
	$(BIN)/python -m tools.bundle

# make grade SUBMISSIONS=DIR GRADES=FILE.csv [TIMEOUT=300]: DIR/<student>/<chapter>.ipynb; see the instructor guide.
TIMEOUT ?= 300
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" -a -n "$(GRADES)" || { echo "usage: make grade SUBMISSIONS=DIR GRADES=FILE.csv [TIMEOUT=300]"; exit 2; }
	$(BIN)/python -m tools.grade "$(SUBMISSIONS)" "$(GRADES)" --timeout $(TIMEOUT)

# The browser edition (JupyterLite + Pyodide) into the book's site, _build/html/lite (EDITION=student: the
# student edition's site). PYODIDE=cdn (the deployed edition: Pyodide and its packages from Pyodide's CDN,
# pinned to 0.27.7) or PYODIDE=local (served by the site itself, from the cache of make lite-cache).
PYODIDE ?= cdn
LITE_OUT = $(if $(filter student,$(EDITION)),_build/student/_build/html/lite,_build/html/lite)
lite: $(STAMP)
	$(BIN)/python -m tools.lite build --pyodide $(PYODIDE) --out $(LITE_OUT)

# Pyodide's runtime and the wheels the chapters need, checked against Pyodide's lock, into .lite-cache/
# (needs npm and pip; about 80 MB downloaded once).
lite-cache: $(STAMP)
	$(BIN)/python -m tools.lite cache

# make bench BENCH_ARGS="--native-blas --book": see benchmarks/README.md for the options.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean-book:
	rm -rf _build

clean: clean-book
	rm -rf student .pytest_cache .lite-cache
