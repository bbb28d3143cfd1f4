"""The engine as the Lite form carries it: main.py in CPython with none of the third-party
packages, the pre-composed rule data, the loader's checks, and determinism."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

from perfeval_xl import yamlfile
from perfeval_xl.datafiles import examples_dir, profiles_dir, templates_dir
from perfeval_xl.lite import ENGINE_MODULES, FUNCTIONS, engine_archive, main_py

BLOCKED = ("yaml", "xlwings", "xlsxwriter", "openpyxl", "python_calamine", "rich", "click", "docx", "defusedxml")


def _run(code: str, main: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` after main.py, in a fresh interpreter without site-packages (-S: perfeval_xl is
    not installed there, only main.py's archive is) where the blocked packages cannot be imported."""
    script = textwrap.dedent(f"""
        import sys
        for name in {BLOCKED!r}:
            sys.modules[name] = None
        main = {{"__name__": "main"}}
        exec(compile(open({str(main)!r}, encoding="utf-8").read(), "main.py", "exec"), main)
    """) + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_main_py_runs_on_the_standard_library_alone(tmp_path: Path) -> None:
    main = tmp_path / "main.py"
    main.write_text(main_py(), encoding="utf-8")
    proc = _run("""
        print(main["PE_SCORE"]("97%", "95%", 10), main["PE_EXEC_SCORE"](439.53, 357.04, 20))
        loaded = sorted(sys.modules[m].__file__.split(".zip/perfeval_xl/", 1)[1]
                        for m in sys.modules if m.startswith("perfeval_xl."))
        print(" ".join(loaded))
        print(sys.modules["perfeval_xl"].__file__)
    """, main, tmp_path)
    assert proc.returncode == 0, proc.stderr
    values, loaded, origin = proc.stdout.splitlines()
    assert values == "9.79 16.25"
    # every engine module that was imported travels in the archive (workbook_templates is data)
    assert {m for m in loaded.split() if not m.startswith("workbook_templates/")} <= set(ENGINE_MODULES)
    assert ".zip/perfeval_xl/__init__.py" in origin
    assert sorted(main_py().split("__all__ = [", 1)[1].split("]")[0].replace('"', "").split(", ")) == \
        sorted(FUNCTIONS)


def test_a_damaged_archive_is_refused(tmp_path: Path) -> None:
    main = tmp_path / "main.py"
    text = main_py()
    start = text.index('_ENGINE = """\n') + len('_ENGINE = """\n')
    damaged = text[:start] + ("B" if text[start] != "B" else "C") + text[start + 1:]
    main.write_text(damaged, encoding="utf-8")
    proc = _run("", main, tmp_path)
    assert proc.returncode != 0 and "自评表中的计分引擎已损坏（校验值不符），请重新获取自评表" in proc.stderr


def test_pre_composed_trees_equal_the_parser(tmp_path: Path) -> None:
    """Every shipped YAML file composes to the same tree through JSON as through PyYAML."""
    files = [*profiles_dir().iterdir(), *templates_dir().iterdir(), *examples_dir().iterdir()]
    texts = [f.read_text(encoding="utf-8") for f in files if f.name.endswith(".yaml")]
    assert len(texts) >= 9
    for text in texts:
        parsed = yamlfile.parse(text, "x.yaml")
        assert yamlfile.load_tree(yamlfile.dump_tree(parsed)) == parsed


def test_the_archive_is_deterministic() -> None:
    digest = hashlib.sha256(engine_archive()).hexdigest()
    code = "from perfeval_xl.lite import engine_archive; import hashlib; print(hashlib.sha256(engine_archive()).hexdigest())"
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert again == digest and f'ENGINE_SHA256 = "{digest}"' in main_py()


def test_a_lite_form_is_written_without_the_xlwings_extra(tmp_path: Path) -> None:
    """The lite mode needs no optional package: its stored results come from perfeval_xl.udfs
    as plain functions when xlwings is not installed."""
    code = textwrap.dedent(f"""
        import sys
        sys.modules["xlwings"] = sys.modules["ms_ovba"] = None
        from perfeval_xl.demo import load_example
        from perfeval_xl.form import build_form
        from perfeval_xl.reader import evaluate
        built = build_form(load_example("caidian-2019-quality"), {str(tmp_path / "表.xlsx")!r}, mode="lite")
        result = evaluate(built.path)[0]
        print(result.total, result.grade)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["99.87", "优"]
