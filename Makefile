# Two entry points for a fresh machine with Python >= 3.11, git and make:
#   make run    set up, then open the reader on the bundled sample articles
#   make test   set up, then run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every package, the spaCy model and the build backend, pinned with their hashes: `make lock`
# writes it from pyproject.toml (run it after changing the dependencies there, and commit both).
LOCK := requirements.lock
# `make test` runs the tests in pytest-xdist workers, one more than the cores: most tests wait
# on a subprocess, a terminal, a browser or a background job, and the workers fill each other's
# waits (tests/conftest.py). loadgroup keeps the tests that share a costly fixture on one worker
# (tests/conftest.py marks them). `make test WORKERS=0` runs them in one process, as a plain
# `pytest` does.
WORKERS ?= auto

.PHONY: run test lint setup lock bench model encoder clean

setup: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "reader needs Python >= 3.11; set PYTHON=python3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@# byte code now, so the first start-up does not compile reader (nor any later one where
	@# PYTHONDONTWRITEBYTECODE is set)
	$(BIN)/python -m compileall -q reader > /dev/null
	touch $(STAMP)

lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip-tools>=7.5,<8"
	$(BIN)/pip-compile --quiet --generate-hashes --extra test --build-deps-for editable --allow-unsafe \
		--strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
		--output-file $(LOCK) pyproject.toml

run: setup
	$(BIN)/reader sample_articles

test: setup lint
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium; } \
		|| echo "chromium could not be installed: the browser tests of reader serve will skip"
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup

# ruff (pyflakes, bugbear, simplify, complexity), mypy on the core, and the import contracts;
# all three are configured in pyproject.toml.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: setup
	$(BIN)/python -m benchmarks

# The suggestion model, the commitment actor ranker and the action-head model shipped in the
# package, built from the labelled corpus in corpus/.
model: setup
	$(BIN)/python -m reader.suggest.build corpus -o reader/suggest/shipped
	$(BIN)/python -m reader.commitments.ranker_build corpus -o reader/commitments/ranker.json
	$(BIN)/python -m reader.commitments.head_build corpus -o reader/commitments/head.json

# The sentence encoder that refines the suggestions (reader/suggest/encoder), fine-tuned on the
# corpus with PyTorch in a virtualenv of its own: reader itself runs it with ONNX Runtime and never
# needs PyTorch. 35 to 70 minutes on two cores. Where pip finds no CPU build of torch 2.13.0 on
# disk, add --index-url https://download.pytorch.org/whl/cpu to skip the CUDA build.
ENCODER_VENV ?= .venv-encoder
encoder: setup
	test -x $(ENCODER_VENV)/bin/python || $(PYTHON) -m venv $(ENCODER_VENV)
	$(ENCODER_VENV)/bin/python -m pip install --quiet -r tools/encoder-requirements.txt
	$(ENCODER_VENV)/bin/python tools/encoder_build.py corpus -o reader/suggest/encoder

clean:
	rm -rf $(VENV) .pytest_cache
