# Two commands on a fresh machine with Python 3.11:
#   make demo   set up .venv, review the bundled examples/, write every report format to out/
#   make test   set up .venv and run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test,web]'
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/assess check examples/*.docx examples/*.pdf examples/*.txt --format text,docx,xlsx,html,json,md --output out/ || [ $$? -eq 1 ]
	@echo "报告已写入 out/ （reports written to out/）"

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Benchmarks (not timed tests): figures for docs/ and the issue notes. The law-corpus parts need
# ../shared/corpora/laws-cn.tar.xz and skip with a message without it.
bench: $(STAMP)
	$(BIN)/python benchmarks/parse.py
	$(BIN)/python benchmarks/rules.py
	$(BIN)/python benchmarks/classifier.py
	$(BIN)/python benchmarks/evaluate_laws.py
	$(BIN)/python benchmarks/dev_eval.py
	$(BIN)/python benchmarks/batch.py

clean:
	rm -rf out build *.egg-info
