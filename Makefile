# Haven: `make demo` runs the whole thing locally, `make stack` runs it as deployed (production settings
# behind nginx), `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo stack test e2e install debian-packages lint format bench clean catalogues messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The translations: .mo files built from locale/*/LC_MESSAGES/*.po (not committed).
catalogues: $(STAMP)
	$(BIN)/python manage.py catalogue compile

# After changing user-facing strings: update the .po files from the code, then translate what is new.
messages: $(STAMP)
	$(BIN)/python manage.py catalogue update

# Debian packages the project needs (fonts for the PDFs, ...): installed when one is missing.
debian-packages:
	@scripts/debian-packages.sh

install: debian-packages $(STAMP) catalogues

demo: debian-packages $(STAMP) catalogues
	$(BIN)/python manage.py demo

stack: debian-packages $(STAMP) catalogues
	deploy/install-nginx.sh
	$(BIN)/python -m deploy.stack

# The whole suite in TEST_PROCESSES processes (pytest-xdist); tests that share an outside service run
# in one of them (tests/conftest.py).
TEST_PROCESSES ?= 2
test: debian-packages $(STAMP) catalogues
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) $(PYTEST_ARGS)

e2e: debian-packages $(STAMP) catalogues
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
