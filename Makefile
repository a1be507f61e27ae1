# The two set-up commands of this project (README.md): `make dry-run` and `make test`.
# Both create or update the virtual environment in .venv/ from the project's own files.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: dry-run test bench bench-search clean

$(STAMP): requirements-offline.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

dry-run: $(STAMP)
	$(PY) -m kernel dry-run --dataset arc-agi-1/evaluation --budget-per-task 2s --out runs/dry-run

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/sandbox.py

bench-search: $(STAMP)
	$(PY) benchmarks/search.py --budget 10

clean:
	rm -rf $(VENV) runs
