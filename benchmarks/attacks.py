"""How long the hostile inputs of issue 12 cost, end to end, through the command line.

Prints the wall time of
- `consolidate` over 200 good forms mixed with a far cell (XFD1048576), its panicking
  variants (a date python-calamine cannot convert, a shared-string table of 2^64 strings),
  a merged sheet, a FIFO, a symbolic link loop and a GBK-named file (goal: under 60 s),
  and the same folder again with the store (nothing read twice);
- `check` on the far-cell file (it used to run for more than five minutes);
- `new` and `check` on a 500-byte alias-bomb spec (goal: refused in under 5 s; it used
  to drive `new` to 7.9 GB).

Run: python benchmarks/attacks.py
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

CLI = [sys.executable, "-m", "perfeval_xl"]


def _timed(command: list[str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc.returncode, (proc.stdout + proc.stderr).strip().splitlines()[0]


def main() -> None:
    from attacks import (
        alias_bomb,
        date_panic,
        far_cell,
        fifo,
        gbk_name,
        merged_sheet,
        strings_panic,
        symlink_loop,
    )
    from formcases import make_case

    from perfeval_xl.form import build_form

    work = Path(tempfile.mkdtemp(prefix="perfeval-attacks-"))
    try:
        root = work / "回收"
        for index in range(200):
            case = make_case(index)
            case.name = f"项目{index:03d}"
            spec = dataclasses.replace(case.filled_spec(), department=f"部门{index % 5}")
            build_form(spec, root / f"部门{index % 5}" / f"{index:03d}.xlsx")
        bad = root / "问题文件"
        bad.mkdir()
        far = far_cell(bad / "远处单元格.xlsx")
        date_panic(bad / "日期.xlsx")
        strings_panic(bad / "字符串.xlsx")
        merged_sheet(bad / "合并.xlsx")
        fifo(bad / "管道.xlsx")
        symlink_loop(bad)
        shutil.copy(root / "部门1" / "001.xlsx", gbk_name(root / "部门0", "转存的表.xlsx"))
        os.remove(root / "部门1" / "001.xlsx")
        db = work / "review.sqlite"
        for label in ("consolidate, 200 good forms + attack files", "the same again, with the store"):
            seconds, code, first = _timed([*CLI, "consolidate", str(root), "-o", str(work / "汇总.xlsx"),
                                           "--db", str(db), "--jobs", "2"])
            print(f"{label}: {seconds:.1f} s, exit {code} — {first}", flush=True)
        seconds, code, first = _timed([*CLI, "check", str(far)])
        print(f"check on the far-cell file: {seconds:.2f} s, exit {code}", flush=True)
        bomb = alias_bomb(work / "炸弹.yaml")
        for command in ("new", "check"):
            extra = ["-o", str(work / "x.xlsx")] if command == "new" else []
            seconds, code, first = _timed([*CLI, command, str(bomb), *extra])
            print(f"{command} on the alias bomb ({bomb.stat().st_size} bytes): {seconds:.2f} s, exit {code}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
