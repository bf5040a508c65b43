# make demo : install what is missing into .venv, then run the main job on toy data
#             (segmentation; `make demo-detection`, `make demo-classification` for the
#             COCO- and ImageNet-format ones)
# make test : install what is missing into .venv, then lint and run the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
export VENV

.PHONY: install demo demo-detection demo-classification test lint
install:
	bash tools/install.sh

demo: install
	PYTHON=$(PY) bash tools/toy_demo.sh segmentation

demo-detection: install
	PYTHON=$(PY) bash tools/toy_demo.sh detection

demo-classification: install
	PYTHON=$(PY) bash tools/toy_demo.sh classification

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# one worker per core (at most 4), each test file on one worker: the suite's runs are
# mostly single-threaded subprocesses (9.7 min on 2 cores against 16 one by one)
test: install lint
	$(PY) -m pytest -q -n auto --maxprocesses 4 --dist loadfile tests
