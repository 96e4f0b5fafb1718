# Two commands: `make run` and `make test`. Each creates or updates .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-gpu bench goldens clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "gradviz needs Python 3.10 or newer; run: make PYTHON=python3.X"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "python -m venv failed:" \
		"install the venv module (Debian/Ubuntu: sudo apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/gradviz $(ARGS)

test: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -rs

test-gpu: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,gpu]'
	$(BIN)/python -m pytest -q -m gpu

bench: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.benchmarks.run

goldens: $(VENV)/.installed-test
	GRADVIZ_UPDATE_GOLDENS=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -rs tests/gui/test_screenshots.py

clean:
	rm -rf $(VENV) build *.egg-info
