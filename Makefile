# FastAPI Performance Lab. New users need two commands: `make lab` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?= --durations=25  # the slowest tests, so that CI logs show where its time goes

.PHONY: lab test venv notebooks translations gate claims bench bench-loadgen bench-grading clean-venv help

help:
	@echo "make lab           set up .venv if needed and open the course in JupyterLab"
	@echo "make test          run every test (unit, notebooks in every language, translation gate)"
	@echo "make notebooks     rebuild notebooks/{en,bn,ru} from chapters/ and locales/"
	@echo "make translations  extract the English text and update the bn and ru catalogs"
	@echo "make gate          the strict translation and notebook gate alone"
	@echo "make claims        run each English notebook 5 times and print every claim's spread"
	@echo "make bench         every benchmark: load generator against wrk, grading a class of 30"

# The environment: created from pyproject.toml, pinned by constraints.txt, rebuilt when either changes.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[lab,test]"
	touch $@

venv: $(STAMP)

# Containers and workshop machines often run as root, which JupyterLab refuses unless told.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# The notebooks get this Python's version in their metadata, so that opening one does not mark it changed.
lab: $(STAMP)
	$(PY) -m perflab.build.python_stamp notebooks
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --notebook-dir=notebooks $(ALLOW_ROOT)

# The unit tests wait on sockets and timers more than they compute (one worker used 0.6 of a core), so three
# workers share the two cores; the busy-core tests run on one of them, one at a time. Course notebooks are
# separate kernels that measure, so they run two at a time; chapter 07 compares worker counts, so it runs alone.
test: $(STAMP)
	$(PY) -m pytest -m "not notebook" -n 3 --dist loadgroup $(PYTEST_ARGS)
	$(PY) -m pytest -m "notebook and not alone" -n 2 $(PYTEST_ARGS)
	$(PY) -m pytest -m "notebook and alone" $(PYTEST_ARGS)

notebooks: $(STAMP)
	$(PY) -m perflab dev notebooks

translations: $(STAMP)
	$(PY) -m perflab dev translations

gate: $(STAMP)
	$(PY) -m perflab dev gate

claims: $(STAMP)
	$(PY) -m perflab dev claims

bench: bench-loadgen bench-grading

bench-loadgen: $(STAMP)
	$(PY) benchmarks/loadgen_vs_wrk.py

bench-grading: $(STAMP)
	$(PY) benchmarks/grade_class.py

clean-venv:
	rm -rf $(VENV)
