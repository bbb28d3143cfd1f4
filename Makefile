# The task runner. `make` (= `make check`) is what CI runs: lint, types, tests.
PYTHON ?= python3
OUT ?= perfeval-demo

.DEFAULT_GOAL := check
.PHONY: check lint types test install system-deps demo docs bench approve macros

check: lint types test

lint:
	$(PYTHON) -m ruff check perfeval_xl tests benchmarks

types:
	$(PYTHON) -m mypy perfeval_xl

test:
	$(PYTHON) -m pytest

# LibreOffice (recalculation, PDF; python3-uno drives it in tests), CJK fonts and poppler, from Debian.
system-deps:
	@if command -v soffice >/dev/null && command -v pdftotext >/dev/null \
	    && fc-list 2>/dev/null | grep -qi "noto.*cjk" && /usr/bin/python3 -c "import uno" 2>/dev/null; then \
	  echo "LibreOffice, poppler and Noto CJK fonts are installed"; \
	else \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    libreoffice-calc-nogui fonts-noto-cjk poppler-utils python3-uno; \
	fi

install: system-deps
	$(PYTHON) -m pip install -e '.[dev,xlwings]'

demo: install
	perfeval-xl demo $(OUT)

docs:
	$(PYTHON) -m perfeval_xl.docgen

bench:
	$(PYTHON) benchmarks/score.py
	$(PYTHON) benchmarks/form.py
	$(PYTHON) benchmarks/batch.py

# Rewrite the approved copies of generated workbooks (review the diff first).
approve:
	$(PYTHON) tests/approved_forms.py

# Regenerate macros/xlwings_udfs.bas (the UDF wrappers) with xlwings' own generator
# after changing perfeval_xl/udfs.py; tests/test_vba.py fails until it is current.
macros:
	$(PYTHON) tests/udf_wrappers.py
