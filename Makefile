# Plain entry points. `make run` and `make test` are all a newcomer needs (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell cat pyproject.toml requirements/*.lock | sha1sum | cut -c1-12)
# Every dependency, direct and transitive, is installed from a lock file with hashes (`make lock` writes them).
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
LOCK_VENV := .venv-lock
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links $(UPGRADE)
export FLASK_APP := wsgi
# The default run leaves out the suites marked slow (crash safety, memory over 200 renders...); .ci/run runs
# everything with `make test PYTEST_ARGS=`.
PYTEST_ARGS ?= -m "not slow"

.PHONY: run test demo migrate-check lint lock clean

# Reinstall only when pyproject.toml or a lock file changes. The project itself goes in without dependencies:
# they all come from the lock, each checked against its hash (--require-hashes).
$(VENV)/.run-$(HASH):
	@echo "Installing Trigger and its dependencies into $(VENV) (a few minutes the first time; only when pyproject.toml changes)..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --require-hashes -r requirements/runtime.lock
	$(PIP) --no-deps -e .
	rm -f $(VENV)/.run-* && touch $@

$(VENV)/.test-$(HASH): $(VENV)/.run-$(HASH)
	@echo "Installing the test dependencies..."
	$(PIP) --require-hashes -r requirements/test.lock
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

## lint: ruff's lint rules and the architecture contracts (import-linter), both configured in pyproject.toml
lint: $(VENV)/.test-$(HASH)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## lock: write requirements/runtime.lock and test.lock (every dependency pinned, with hashes) from the pins in
##       pyproject.toml; keeps the other pins as they are; `make lock UPGRADE=--upgrade` moves them to the newest
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_VENV) && \
		$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip-tools==7.6.2)
	$(PIP_COMPILE) -o requirements/runtime.lock pyproject.toml
	$(PIP_COMPILE) --extra test -o requirements/test.lock pyproject.toml

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache
