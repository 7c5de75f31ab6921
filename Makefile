# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-slow test-replicas lint bench load load-classroom load-replicas conformance clean

# Re-install only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tensor-playground serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check app tests bench
	$(BIN)/python -m pytest

# Suites too slow for every change (a server of their own for many seconds, every ready-made
# exercise graded, the classroom's browser test); .ci/run runs them after `make test`.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m "slow and not replicas and not install"

# Two replicas on PostgreSQL behind nginx (needs postgresql and nginx from Debian; ~5 min).
test-replicas: $(STAMP)
	$(BIN)/python -m pytest -m replicas

lint: $(STAMP)
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

bench: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/trace_overhead.py
	$(BIN)/python bench/explain_eval.py

load: $(STAMP)
	$(BIN)/python bench/load.py

# The classroom: 100 students graded by the server, the teacher's dashboard open (README).
load-classroom: $(STAMP)
	$(BIN)/python bench/load.py --classroom

# The course sizing figures: two replicas on PostgreSQL behind nginx (README, "Deploying").
load-replicas: $(STAMP)
	$(BIN)/python bench/replicas.py

conformance: $(STAMP)
	$(BIN)/python -m pytest tests/test_conformance.py -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache artifacts
