# Two entry points: `make demo` (a nightly run against the sandbox) and `make test` (the whole suite).
# Both install what they need first, from the committed lock file.

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON := $(shell command -v $(PYTHON))
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install demo test test-fast bench lock requirements clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --quiet

demo: install
	$(VENV)/bin/python scripts/demo.py

test: install
	$(VENV)/bin/python -m pytest -n auto --dist worksteal

test-fast: install
	$(VENV)/bin/python -m pytest -n auto --dist worksteal -m "not e2e"

bench: install
	$(VENV)/bin/python -m benchmarks.run

lock: $(UV)
	$(UV) lock
	$(MAKE) requirements

# The Docker image installs this export of uv.lock; tests/unit/deploy/test_compose.py checks that it is current.
requirements: $(UV)
	$(UV) export --frozen --no-dev --no-hashes --no-emit-project --extra celery > requirements.lock.txt

clean:
	rm -rf $(VENV) $(TOOLS) .airflow data .pytest_cache
