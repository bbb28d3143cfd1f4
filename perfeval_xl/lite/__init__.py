"""perfeval-xl's engine as xlwings Lite code: the ``main.py`` and ``requirements.txt`` a Lite form carries.

xlwings Lite (the free Office add-in ``WA200008175``) runs Python in Pyodide inside Excel and keeps a
workbook's code in the workbook itself. :func:`lite_files` gives the two files the add-in reads:
``main.py`` (which carries the engine — perfeval-xl's own modules and rule data — and exposes the
functions of :mod:`perfeval_xl.udfs`) and ``requirements.txt``. :mod:`perfeval_xl.form.webextension`
writes them into a workbook.
"""

from __future__ import annotations

from .bundle import (
    ENGINE_DATA,
    ENGINE_MODULES,
    FUNCTIONS,
    REQUIREMENTS,
    engine_archive,
    lite_files,
    main_py,
)

__all__ = ["ENGINE_DATA", "ENGINE_MODULES", "FUNCTIONS", "REQUIREMENTS", "engine_archive", "lite_files",
           "main_py"]
