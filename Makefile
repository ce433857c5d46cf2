# UBE — common tasks. Needs only Python 3.11, pip and make; uv is installed on first use.
PY ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PY) -m uv")

.PHONY: bootstrap sync run test lint fmt migrate bench

## bootstrap: install uv if it is missing
bootstrap:
	@command -v uv >/dev/null 2>&1 || $(PY) -m uv --version >/dev/null 2>&1 || \
	  $(PY) -m pip install --quiet uv || \
	  $(PY) -m pip install --quiet --user --break-system-packages uv

## sync: create .venv exactly as pinned in uv.lock
sync: bootstrap
	$(UV) sync --frozen

## migrate: bring the database up to date
migrate: sync
	$(UV) run python -m ube_core migrate

## run: migrate, then start the app
run: migrate
	$(UV) run streamlit run app.py --server.headless true

## lint: style and type checks
lint: sync
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

## fmt: format and apply safe fixes
fmt: sync
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

## test: lint, then the whole test suite
test: lint
	$(UV) run pytest -q

## bench: performance benchmarks
bench: sync
	$(UV) run python -m benchmarks
