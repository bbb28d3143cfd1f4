"""How long one 自评表 takes to generate (build_form, native formulas).

Run: python benchmarks/form.py   (prints figures; no pass/fail)
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from perfeval_xl.demo import load_example
from perfeval_xl.form import build_form


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("caidian-2019-quality", "donghu-2018-quality"):
            spec = load_example(name)
            path = Path(tmp) / f"{name}.xlsx"
            for _ in range(3):
                build_form(spec, path)
            timings = []
            for _ in range(50):
                start = time.perf_counter()
                built = build_form(spec, path)
                timings.append(time.perf_counter() - start)
            rows = len(built.layout.indicators)
            print(f"build_form {name} ({len(spec.indicators)} indicators, {rows} rows with spares): "
                  f"median {statistics.median(timings) * 1000:.1f} ms, "
                  f"max {max(timings) * 1000:.1f} ms, {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
