# Plain entry points. `make run` and `make test` are all a newcomer needs (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
export FLASK_APP := wsgi
# The default run leaves out the suites marked slow (crash safety, memory over 200 renders...); .ci/run runs
# everything with `make test PYTEST_ARGS=`.
PYTEST_ARGS ?= -m "not slow"

.PHONY: run test demo migrate-check lint clean

# Reinstall only when pyproject.toml changes.
$(VENV)/.run-$(HASH):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	rm -f $(VENV)/.run-* && touch $@

$(VENV)/.test-$(HASH): $(VENV)/.run-$(HASH)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.test-* && touch $@

## run: install, create/upgrade the SQLite database under instance/, serve on http://127.0.0.1:5000
run: $(VENV)/.run-$(HASH)
	$(BIN)/flask db upgrade
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## test: install the test dependencies and run the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: $(VENV)/.test-$(HASH)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## demo: load the fictional demo county into an empty database (prints the passwords once)
demo: $(VENV)/.run-$(HASH)
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load

## migrate-check: the migrations build an empty database and agree with the models
migrate-check: $(VENV)/.run-$(HASH)
	@tmp=$$(mktemp -d) && \
	DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/flask db upgrade && \
	DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/flask db check && \
	rm -rf $$tmp

## lint: ruff's lint rules and the architecture contracts (import-linter), both configured in pyproject.toml
lint: $(VENV)/.test-$(HASH)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache
