# The task runner. `make check` is what CI runs: lint, types, tests. Everything runs
# in a virtual environment (.venv), made and filled on first use, so a fresh Debian
# or Ubuntu machine (whose system Python refuses `pip install`) needs nothing else.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUT ?= perfeval-demo

# Pyodide for the tests of the xlwings Lite form (tests/test_lite_pyodide.py), from the npm
# registry at install time; the tests themselves run offline. Node and npm come from Debian
# when missing (a machine with another nodejs build that provides npm keeps its own).
PYODIDE := tests/pyodide/node_modules/pyodide/pyodide.asm.wasm

.DEFAULT_GOAL := check
.PHONY: check lint types test install system-deps demo docs bench approve macros

check: lint types test

lint: $(STAMP)
	$(PYTHON) -m ruff check perfeval_xl tests benchmarks

types: $(STAMP)
	$(PYTHON) -m mypy perfeval_xl

test: $(STAMP) $(PYODIDE)
	$(PYTHON) -m pytest

# Pyodide (see above), installed when missing or when its lock file changes.
$(PYODIDE): tests/pyodide/package.json tests/pyodide/package-lock.json
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; \
	fi
	npm ci --prefix tests/pyodide --no-audit --no-fund
	touch $@

# LibreOffice (recalculation, PDF; python3-uno drives it in tests; Writer renders the report
# section's .docx), CJK fonts, poppler and Python's venv module, from Debian.
system-deps:
	@if command -v soffice >/dev/null && command -v pdftotext >/dev/null \
	    && { dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || dpkg -s libreoffice-writer >/dev/null 2>&1; } \
	    && fc-list 2>/dev/null | grep -qi "noto.*cjk" && /usr/bin/python3 -c "import uno" 2>/dev/null \
	    && python3 -c "import ensurepip, venv" 2>/dev/null; then \
	  echo "LibreOffice (Calc, Writer), poppler, Noto CJK fonts and Python venv are installed"; \
	else \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    libreoffice-calc-nogui libreoffice-writer-nogui fonts-noto-cjk poppler-utils python3-uno python3-venv; \
	fi

$(STAMP): pyproject.toml
	$(MAKE) --no-print-directory system-deps
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev,xlwings]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/perfeval-xl demo $(OUT)

docs: $(STAMP)
	$(PYTHON) -m perfeval_xl.docgen

bench: $(STAMP)
	$(PYTHON) benchmarks/score.py
	$(PYTHON) benchmarks/form.py
	$(PYTHON) benchmarks/batch.py
	$(PYTHON) benchmarks/consolidate.py
	$(PYTHON) benchmarks/attacks.py
	$(PYTHON) benchmarks/lite.py
	$(PYTHON) benchmarks/review.py

# Rewrite the approved copies of generated workbooks (review the diff first).
approve: $(STAMP)
	$(PYTHON) tests/approved_forms.py

# Regenerate macros/xlwings_udfs.bas (the UDF wrappers) with xlwings' own generator
# after changing perfeval_xl/udfs.py; tests/test_vba.py fails until it is current.
macros: $(STAMP)
	$(PYTHON) tests/udf_wrappers.py
