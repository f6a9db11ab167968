# Training Neural Networks, from Scratch — every command of the README.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
export COURSE_LIB_PROGRESS := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Small matrices: one BLAS thread per process is faster than oversubscribing the cores.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: help install book book-clean book-zh i18n-extract i18n-status pdf test test-fast lint mutate release validate grade lab lab-zh bench classroom clean

help:
	@echo "make book                 build the HTML book, English and Chinese (zh/) (executes every chapter, cached)"
	@echo "make pdf                  the whole book as one PDF (_build/pdf/book.pdf)"
	@echo "make book-zh              rebuild only the Chinese edition (after editing a catalogue); locale/README.md"
	@echo "make test                 build the book if needed, then run every test"
	@echo "make lint                 ruff and mypy over course_lib, course_tools, tests and benchmarks"
	@echo "make mutate               mutation testing of course_lib and the grader's scoring, on demand (slow)"
	@echo "make release              regenerate exercises/ from solutions/"
	@echo "make validate NB=path     check a notebook against its visible tests"
	@echo "make grade SUBMISSIONS=dir  autograde a folder of submissions (CSV + feedback)"
	@echo "make lab                  JupyterLab with nbgrader's student extensions on exercises/"
	@echo "make lab-zh               JupyterLab on exercises-zh/ (the assignments in Chinese)"
	@echo "make bench                run the speed and memory benchmarks"
	@echo "make classroom            JupyterHub for a class on http://127.0.0.1:8000 (as root; deploy/README.md)"

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -e . 2>&1 \
	  | { grep -v '^WARNING: Location' || true; }
	$(BIN)/python -c "import course_lib, nbgrader, jupyter_book" 
	touch $(STAMP)

install: $(STAMP)

book: $(STAMP)
	$(BIN)/python -m course_tools.build_book

pdf: book
	$(BIN)/python -m course_tools.build_pdf

book-zh: $(STAMP)
	$(BIN)/python -m course_tools.i18n build --zh-only

i18n-extract: $(STAMP)
	$(BIN)/python -m course_tools.i18n extract

i18n-status: $(STAMP)
	$(BIN)/python -m course_tools.i18n status

book-clean:
	rm -rf _build

test: book
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) -m "not book and not grading and not browser and not classroom" $(PYTEST_ARGS)

LINT_STAMP := $(VENV)/.lint-installed

$(LINT_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt 2>&1 \
	  | { grep -v '^WARNING: Location' || true; }
	touch $(LINT_STAMP)

lint: $(LINT_STAMP)
	$(BIN)/ruff check course_lib course_tools tests benchmarks
	$(BIN)/mypy

MUTATE_STAMP := $(VENV)/.mutation-installed

$(MUTATE_STAMP): $(STAMP) requirements-mutation.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-mutation.txt 2>&1 \
	  | { grep -v '^WARNING: Location' || true; }
	touch $(MUTATE_STAMP)

mutate: $(MUTATE_STAMP)
	$(BIN)/python tests/mutation/run.py $(MUTATE_ARGS)

release: $(STAMP)
	$(BIN)/python -m course_tools.release

validate: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make validate NB=exercises/01-foundations/foundations.ipynb"; exit 2; }
	$(BIN)/python -m course_tools.validate "$(NB)"

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir [OUT=grades] [ROSTER=file] [GRADE_ARGS=...]"; exit 2; }
	$(BIN)/python -m course_tools.grade "$(SUBMISSIONS)" --out "$(or $(OUT),grades)" --jobs $(JOBS) $(if $(ROSTER),--roster "$(ROSTER)") $(GRADE_ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab exercises

lab-zh: $(STAMP)
	$(BIN)/jupyter lab exercises-zh

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) benchmarks/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt 2>&1 \
	  | { grep -v '^WARNING: Location' || true; }
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run

classroom:
	bash deploy/install.sh
	.classroom/venv/bin/python deploy/classroom.py $(CLASSROOM_ARGS)

clean:
	rm -rf _build _grading grades .pytest_cache
