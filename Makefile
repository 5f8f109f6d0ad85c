# Allmende developer entry points. Everything bootstraps from python3 and the package registries.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SITE := $(shell $(PYTHON) -c 'import sys; print(f"lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages")')

.PHONY: up test bench soak lint fmt db-stop clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	# The repository root and platform/ go on sys.path; platform/ itself is no package.
	printf '%s\n%s\n' "$(CURDIR)" "$(CURDIR)/platform" > $(VENV)/$(SITE)/allmende.pth
	touch $(STAMP)

up: $(STAMP)
	bash infra/ensure_leaflet.sh
	$(PY) -m infra.devserver

test: $(STAMP)
	bash infra/ensure_chromium.sh
	bash infra/ensure_axe.sh
	bash infra/ensure_leaflet.sh
	$(PY) -m infra.embedded_pg run -- $(PY) -m pytest $(PYTEST_ARGS)

# Every benchmark on a database of its own (allmende_bench), one line each, results in
# bench/results/; BENCH_ARGS="provision --portals 100" runs one, smaller (python -m bench -h).
bench: $(STAMP)
	$(PY) -m infra.embedded_pg run -- $(PY) -m bench $(BENCH_ARGS)

# Fault injection with real processes and the soak run (SOAK_SECONDS, default 600), each on
# its own embedded PostgreSQL cluster; not part of `make test`.
soak: $(STAMP)
	$(PY) -m infra.embedded_pg run -- $(PY) -m pytest tests/reliability -m soak -p no:randomly -s $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

db-stop: $(STAMP)
	$(PY) -m infra.embedded_pg stop

clean: db-stop
	rm -rf .data staticfiles
