"""Inside Pyodide: run a Lite form's main.py as xlwings Lite would, and call its functions.

This stands in for the xlwings Lite add-in, which cannot run here (its Python side,
xlwings.pro, needs a licence and a browser). It does what the add-in does with a
workbook's code, as far as the functions are concerned:

- ``xlwings`` is a stand-in whose ``func``, ``arg`` and ``ret`` only record what they
  are given (the add-in's decorators record the same and build Excel's metadata from it);
- ``main.py`` runs as the module ``main``; the functions Excel can call are its members
  that ``func`` registered, looked up by name as the add-in does;
- each call's arguments are shaped as Office.js sends them to xlwings: every parameter
  is declared ``matrix``, so a cell arrives as ``[[value]]`` and is unwrapped to the
  value unless the parameter asks for ``ndim=2``; a range arrives as a list of rows; an
  empty cell or an omitted argument is JavaScript's ``null``; a whole number arrives as
  a Python ``int`` (Pyodide converts a JS number that is an integer to ``int``);
- ``null`` is what the xlwings release makes of it: ``None`` (xlwings >= 0.36.7, then
  the parameter's default for a single cell) or, in the ``jsnull`` cases, Pyodide's
  ``jsnull`` passed on unchanged, as older xlwings did under Pyodide >= 0.28.

``run`` answers every case in one session and reports what it saw of the runtime.
"""

import inspect
import json
import sys
import types

REGISTERED = {}


def _record(function, key, name, options):
    info = function.__dict__.setdefault("__lite__", {"func": None, "args": {}, "ret": {}})
    if key == "func":
        info["func"] = options
        REGISTERED[function.__name__] = function
    elif key == "arg":
        info["args"].setdefault(name, {}).update(options)
    else:
        info["ret"].update(options)
    return function


def func(function=None, **options):
    if function is None:
        return lambda f: _record(f, "func", None, options)
    return _record(function, "func", None, options)


def arg(name, convert=None, **options):
    return lambda f: _record(f, "arg", name, {**options, **({"convert": convert} if convert else {})})


def ret(convert=None, **options):
    return lambda f: _record(f, "ret", None, {**options, **({"convert": convert} if convert else {})})


def install_stand_in():
    module = types.ModuleType("xlwings")
    module.func, module.arg, module.ret = func, arg, ret
    module.__version__ = "stand-in"
    sys.modules["xlwings"] = module


def as_js(value):
    """A cell value as it reaches Python from Office.js through Pyodide."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def empty(jsnull):
    if jsnull:
        from pyodide.ffi import jsnull as null

        return null
    return None


def lite_arguments(function, cells, jsnull):
    """The Python arguments xlwings passes for the cells of one call."""
    options = function.__lite__["args"]
    out = []
    for index, parameter in enumerate(inspect.signature(function).parameters.values()):
        value = cells[index] if index < len(cells) else None
        two_d = options.get(parameter.name, {}).get("ndim") == 2
        if isinstance(value, list):
            matrix = [[as_js(c) if c is not None else empty(jsnull) for c in row] for row in value]
        else:
            matrix = [[as_js(value) if value is not None else empty(jsnull)]]
        if two_d:
            out.append(matrix)
            continue
        scalar = matrix[0][0] if len(matrix) == 1 and len(matrix[0]) == 1 else matrix
        if scalar is None:  # JavaScript null read as None: the parameter's default
            scalar = parameter.default if parameter.default is not inspect.Parameter.empty else None
        out.append(scalar)
    return out


def plain(value):
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"<{type(value).__name__}>"


def run(main_source, cases_json):
    install_stand_in()
    main = types.ModuleType("main")
    main.__file__ = "main.py"
    sys.modules["main"] = main
    exec(compile(main_source, "main.py", "exec"), main.__dict__)
    exposed = {name: obj for name, obj in vars(main).items()
               if callable(obj) and getattr(obj, "__lite__", {}).get("func") is not None}
    results = []
    for case in json.loads(cases_json):
        function = getattr(main, case["function"])  # as the add-in: by name, in the module main.py made
        try:
            value = function(*lite_arguments(function, case["args"], case.get("jsnull", False)))
            results.append(plain(value))
        except Exception as exc:  # a function must never raise into Excel: report it to the test
            results.append(f"<raised {type(exc).__name__}: {exc}>")
    try:
        import yaml  # noqa: F401

        has_yaml = True
    except ImportError:
        has_yaml = False
    engine = sys.modules.get("perfeval_xl")
    return json.dumps({
        "results": results,
        "functions": {name: {"func": obj.__lite__["func"], "args": sorted(obj.__lite__["args"]),
                             "doc": (obj.__doc__ or "").strip(),
                             "ndim2": sorted(k for k, v in obj.__lite__["args"].items() if v.get("ndim") == 2)}
                      for name, obj in exposed.items()},
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "yaml": has_yaml,
        "engine_file": getattr(engine, "__file__", None),
        "engine_modules": sorted(m for m in sys.modules if m.startswith("perfeval_xl")),
        "third_party": sorted(m for m in ("xlsxwriter", "openpyxl", "python_calamine", "rich", "click", "yaml")
                              if m in sys.modules),
    }, ensure_ascii=False)
