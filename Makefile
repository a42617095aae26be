# Plain entry points. `make run` and `make test` are all a newcomer needs (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
export FLASK_APP := wsgi
# The default run leaves out the suites marked slow (crash safety, memory over 200 renders...); .ci/run runs
# everything with `make test PYTEST_ARGS=`.
PYTEST_ARGS ?= -m "not slow"

.PHONY: run test demo migrate-check clean

# Reinstall only when pyproject.toml changes.
$(VENV)/.run-$(HASH):
	@echo "Installing Trigger and its dependencies into $(VENV) (a few minutes the first time; only when pyproject.toml changes)..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	rm -f $(VENV)/.run-* && touch $@

$(VENV)/.test-$(HASH): $(VENV)/.run-$(HASH)
	@echo "Installing the test dependencies..."
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.test-* && touch $@

## run: install, create/upgrade the SQLite database under instance/, serve on http://127.0.0.1:5000
run: $(VENV)/.run-$(HASH)
	@echo "Creating or upgrading the database..."
	$(BIN)/flask db upgrade
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## test: install the test dependencies and run the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: $(VENV)/.test-$(HASH)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## demo: load the fictional demo county, with one case at every stage, into an empty database (prints the passwords once)
demo: $(VENV)/.run-$(HASH)
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load

## migrate-check: the migrations build an empty database and agree with the models
migrate-check: $(VENV)/.run-$(HASH)
	@tmp=$$(mktemp -d) && \
	DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/flask db upgrade && \
	DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/flask db check && \
	rm -rf $$tmp

clean:
	rm -rf $(VENV) .pytest_cache
