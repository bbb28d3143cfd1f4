# The task runner. `make` (= `make check`) is what CI runs: lint, types, tests.
PYTHON ?= python3
OUT ?= perfeval-demo

.DEFAULT_GOAL := check
.PHONY: check lint types test install system-deps demo docs bench

check: lint types test

lint:
	$(PYTHON) -m ruff check perfeval_xl tests benchmarks

types:
	$(PYTHON) -m mypy perfeval_xl

test:
	$(PYTHON) -m pytest

# LibreOffice (recalculation, PDF), CJK fonts and poppler (PDF checks), from Debian.
system-deps:
	@if command -v soffice >/dev/null && command -v pdftotext >/dev/null \
	    && fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  echo "LibreOffice, poppler and Noto CJK fonts are installed"; \
	else \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    libreoffice-calc-nogui fonts-noto-cjk poppler-utils; \
	fi

install: system-deps
	$(PYTHON) -m pip install -e '.[dev,xlwings]'

demo: install
	perfeval-xl demo $(OUT)

docs:
	$(PYTHON) -m perfeval_xl.docgen

bench:
	$(PYTHON) benchmarks/score.py
