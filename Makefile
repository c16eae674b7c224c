# The two set-up commands: `make report` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := data/sample
OUT    := reports

.PHONY: report test lab lint format sample validate benchmarks clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "csreport needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

$(SAMPLE)/_scenario_truth.json: | $(STAMP)
	$(BIN)/csreport sample-data --scenario params/scenarios/default.yml --out $(SAMPLE)

sample: $(SAMPLE)/_scenario_truth.json

validate: $(STAMP) sample
	$(BIN)/csreport validate $(SAMPLE) --out $(OUT)/_validated

## make report: environment, sample data, then the sample report of the latest month for every unit
report: validate
	$(BIN)/csreport batch --periods latest --units all --workers 2 --resume --data $(SAMPLE) --out $(OUT)
	@echo ""
	@echo "Sample reports: $(OUT)/<period>/<unit>/report.html and report.pdf; start at $(OUT)/index.html"

## make test: environment with dev extras, the sample data (the chapter notebooks run on it), the whole suite
test: $(STAMP) sample
	$(BIN)/python -m pytest

lab: $(STAMP) sample
	$(BIN)/python -m ipykernel install --sys-prefix --name csreport --display-name "csreport" >/dev/null
	$(BIN)/jupyter lab notebooks/

## make lint: the package, tests, benchmarks and the chapter notebooks (tools/build_notebooks.py writes them lint-clean;
## their cells are kept a few lines each, so ruff format, which would spread a call's arguments one per line, checks only .py)
lint: $(STAMP)
	$(BIN)/ruff check csreport tests benchmarks notebooks/*.ipynb tools
	$(BIN)/ruff format --check csreport tests benchmarks tools

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/scorecard.py
	$(BIN)/python benchmarks/chapters.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/lighthouse.py
	$(BIN)/python benchmarks/scale.py

clean:
	rm -rf $(OUT) $(SAMPLE) .pytest_cache .ruff_cache
