"""The xlwings Lite form: how large its main.py is, how long a lite form takes to write,
and how long Pyodide (Node, the npm package of tests/pyodide) takes to start and to answer
the calls of the golden cases and of generated projects.

Run: python benchmarks/lite.py   (prints figures; no pass/fail; needs `make` to have installed
tests/pyodide/node_modules)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).parents[1] / "tests"
sys.path.insert(0, str(TESTS))

from test_lite_pyodide import HARNESS, HERE, RUNNER, _cases  # noqa: E402

from perfeval_xl.demo import load_example  # noqa: E402
from perfeval_xl.form import build_form  # noqa: E402
from perfeval_xl.form.webextension import encode_setting  # noqa: E402
from perfeval_xl.lite import engine_archive, main_py  # noqa: E402


def main() -> None:
    text = main_py()
    print(f"main.py: {len(text.encode('utf-8')):,} bytes (UTF-8), engine archive {len(engine_archive()):,} bytes, "
          f"as the document setting {len(encode_setting(text).encode('utf-8')):,} bytes")
    with tempfile.TemporaryDirectory() as tmp:
        spec = load_example("caidian-2019-quality")
        timings = []
        for mode, name in (("native", "n.xlsx"), ("lite", "l.xlsx")):
            timings = []
            for _ in range(20):
                start = time.perf_counter()
                build_form(spec, Path(tmp) / name, mode=mode)
                timings.append(time.perf_counter() - start)
            print(f"build_form {mode}: median {statistics.median(timings) * 1000:.1f} ms, "
                  f"{(Path(tmp) / name).stat().st_size / 1024:.0f} KiB")
        main_file = Path(tmp) / "main.py"
        main_file.write_text(text, encoding="utf-8")
        cases, _ = _cases()
        request = Path(tmp) / "request.json"
        request.write_text(json.dumps({"main": str(main_file), "harness": str(HARNESS), "cases": cases},
                                      ensure_ascii=False), encoding="utf-8")
        start = time.perf_counter()
        proc = subprocess.run(["node", str(RUNNER), str(request)], capture_output=True, text=True, check=True,
                              cwd=HERE)
        wall = time.perf_counter() - start
        answer = json.loads(proc.stdout)
        timing = answer["timing"]
        print(f"Pyodide (Python {answer['python']}): {len(cases):,} calls in one session, "
              f"start {timing['load_ms'] / 1000:.1f} s, main.py and calls {timing['run_ms'] / 1000:.1f} s "
              f"({timing['run_ms'] / len(cases):.2f} ms a call), node in all {wall:.1f} s")


if __name__ == "__main__":
    main()
