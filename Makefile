# wfm developer entry points. Everything runs inside .venv, created by `make install`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
WFM    := $(BIN)/wfm
DEMO   := demo

.PHONY: install demo test check lint types bench clean

install: $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,dask]"
	@echo "wfm installed in $(VENV); try: $(WFM) --help"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# The main job end to end on the shipped sample data, in a scratch project folder:
# ingest (+ data health), forecast, staff, schedule one week, export and report.
demo:
	@test -x $(WFM) || { echo "run 'make install' first"; exit 1; }
	rm -rf $(DEMO)
	$(WFM) init $(DEMO) --seed 7
	cd $(DEMO) && ../$(WFM) ingest sample/intervals.csv --format table
	cd $(DEMO) && ../$(WFM) forecast --horizon 6w --format table
	cd $(DEMO) && ../$(WFM) staff
	cd $(DEMO) && ../$(WFM) schedule --allow-understaffing
	cd $(DEMO) && ../$(WFM) export roster --output roster.xlsx
	cd $(DEMO) && ../$(WFM) report service-level --by week --days 28 --format table
	cd $(DEMO) && ../$(WFM) report service-level --by day --days 7 --output service-level.xlsx
	cd $(DEMO) && ../$(WFM) report coverage --format table
	cd $(DEMO) && ../$(WFM) report html --output report.html
	@echo "demo done: see $(DEMO)/roster.xlsx, $(DEMO)/service-level.xlsx, $(DEMO)/report.html, $(DEMO)/schedules/latest/"

test:
	$(BIN)/python -m pytest -n 2 -q

lint:
	$(BIN)/ruff check wfm tests bench
	$(BIN)/lint-imports

types:
	$(BIN)/mypy

check: lint types test

bench:
	nice -n 10 $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
