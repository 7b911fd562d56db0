# Every target creates .venv on first use (Python 3.11) and reinstalls when pyproject.toml changes.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench bench-service bench-soap bench-lipe bench-intake lint models openapi wsdl clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/fatturahub serve

test: $(BIN)/.installed
	$(BIN)/pytest -n 4 -q

bench: $(BIN)/.installed
	$(BIN)/python bench/run.py

bench-service: $(BIN)/.installed
	$(BIN)/python bench/service.py

bench-soap: $(BIN)/.installed
	$(BIN)/python bench/soap.py

bench-intake: $(BIN)/.installed
	$(BIN)/python bench/intake.py

bench-lipe: $(BIN)/.installed
	$(BIN)/python bench/lipe.py

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/python tools/generate_models.py --check

models: $(BIN)/.installed
	$(BIN)/python tools/generate_models.py

openapi: $(BIN)/.installed
	$(BIN)/fatturahub openapi -o openapi/openapi.json

wsdl: $(BIN)/.installed
	$(BIN)/fatturahub wsdl -o wsdl/fatturahub-v1.wsdl

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
