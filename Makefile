# The two commands a newcomer needs: `make demo` and `make test`.
# Also: `make notebooks` (re-execute them in place), `make bench` (timings and valgrind's
# instruction counts; `make bench QUICK=1`: a short run, timings only),
# `make bench-instructions` (instructions per step, counted by valgrind: slow),
# `make mutate` (mutation testing of the engine's core, 10-20 minutes),
# `make package` (the wheel and sdist as users install them), `make pythons` (3.10, 3.12, 3.13).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint unit notebooks bench bench-instructions venv clean mutate pythons package

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "scalargrad needs Python 3.10 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" > /dev/null  # the name the stored notebooks carry
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/scalargrad demo

lint: $(STAMP)
	$(BIN)/ruff check .

unit: $(STAMP)
	$(BIN)/pytest

test: lint unit

notebooks: $(STAMP)
	@$(BIN)/python -c 'import torch' 2> /dev/null || { echo "make notebooks: notebook 05 compares with PyTorch; install the oracle first: $(BIN)/pip install torch==2.13.0 (CPU build) or any torch you have"; exit 1; }
	cd notebooks && ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=300 \
		--ExecutePreprocessor.record_timing=False *.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(if $(QUICK),--quick,--instructions)

bench-instructions: $(STAMP)
	$(BIN)/python benchmarks/instructions.py

# Mutation testing (the pinned mutmut from the `mutate` extra; not part of `make test`):
# break engine/value.py, steps.py and gradcheck.py one small change at a time in a copy
# (mutants/), run the fast engine tests on each, then judge: every mutant killed or listed
# in tests/mutants_equivalent.txt. Settings: [tool.mutmut] in pyproject.toml.
MUTATE_STAMP := $(VENV)/.mutate-installed

$(MUTATE_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,mutate]'
	touch $(MUTATE_STAMP)

mutate: $(MUTATE_STAMP)
	rm -rf mutants
	@start=$$(date +%s); $(BIN)/mutmut run && \
		$(BIN)/python tests/mutants_check.py --seconds $$(( $$(date +%s) - start ))

# The whole suite on Python 3.10, 3.12 and 3.13 too, and once on the lowest allowed
# dependencies (.ci/noxfile.py: each in its own venv under .nox/, scalargrad installed from
# its wheel, a kernel python3 inside; uv makes the venvs). pyenv's interpreters are used when
# they are not on PATH; an absent one is skipped, and nox says so.
pythons: $(STAMP)
	$(BIN)/python -m pip install --quiet 'nox==2026.10.20' 'uv==0.13.9'
	PATH="$$PATH:$$(ls -d $(HOME)/.pyenv/versions/3.1[023].*/bin 2> /dev/null | tr '\n' :)" \
		$(BIN)/nox --noxfile .ci/noxfile.py --envdir $(CURDIR)/.nox

# The package as users get it (.ci/package): build the sdist and the wheel from it, twine
# check, what each holds (.ci/contents.py), then the wheel (not editable) in a fresh venv runs
# `scalargrad demo`, .ci/smoke.py and some of the sdist's tests, outside the checkout.
package: $(STAMP)
	$(BIN)/python -m pip install --quiet 'build==1.6.1' 'twine==7.0.0'
	bash .ci/package

clean:
	rm -rf $(VENV) .nox build *.egg-info .pytest_cache .hypothesis mutants
