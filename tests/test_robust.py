"""No file can stop a consolidation, and nothing is lost.

The attack corpus is written by the tests (tests/attacks.py). Each case asserts the
exit code, the exact reason the review gives, and that every good form of the same
run is in the review exactly once; memory-hungry cases run under a cap. Worker
processes that abort, crash, hang or exhaust their memory cost only their file; a
run killed (kill -9) while reading, storing or writing leaves the store sound and the
previous review in place, and the next run gives the full review.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from attacks import (
    date_panic,
    dense,
    far_cell,
    fifo,
    folder_loop,
    gbk_name,
    many_sheets,
    merged_sheet,
    misbehave,
    ods_grid,
    run_capped,
    strings_panic,
    style_bomb,
    symlink_loop,
    unix_socket,
)
from click.testing import CliRunner
from formcases import make_case

from perfeval_xl.cli import cli
from perfeval_xl.consolidate import Limits, consolidate
from perfeval_xl.consolidate.discover import DANGLING, FOLDER_SEEN, LOOP
from perfeval_xl.consolidate.pool import Failed, IsolatedPool
from perfeval_xl.consolidate.store import Store
from perfeval_xl.consolidate.worker import INTERNAL_REASON, limit_reason
from perfeval_xl.errors import FileError
from perfeval_xl.form import build_form

GOOD = 200
CLI = [sys.executable, "-m", "perfeval_xl"]
PANIC = " 中有读取库无法处理的内容，可能是被构造或已损坏的文件，拒绝读取；如确是填好的自评表，请在 Excel/WPS 中打开后另存为 .xlsx 再试"


def far_reason(name: str) -> str:
    return (f"{name} 的工作表“Sheet1”中有远在表格之外的单元格 XFD1048576（表格范围达 1,048,576 行 × 16,384 列），"
            "读取需要过多内存，可能是被构造的文件，拒绝读取；如确是填好的自评表，请在 Excel/WPS 中删除多余的单元格后另存再试")


STRINGS = (" 的共享字符串表声明有 18,446,744,073,709,551,615 个字符串，而该部件只有 {size} 字节，"
           "不可能是真实的内容，可能是被构造的文件，拒绝读取")
MERGED = (" 的工作表“Sheet1”中的合并单元格或超链接覆盖了 17,179,869,184 个单元格，远超自评表的范围，读取需要过多内存，"
          "可能是被构造的文件，拒绝读取；如确是填好的自评表，请在 Excel/WPS 中取消多余的合并后另存再试")


def _good_forms(root: Path, count: int) -> list[str]:
    names = []
    for index in range(count):
        case = make_case(index)
        case.name = f"项目{index:03d}"
        spec = dataclasses.replace(case.filled_spec(), department=f"部门{index % 5}")
        build_form(spec, root / f"部门{index % 5}" / f"{index:03d}.xlsx")
        names.append(case.name)
    return names


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """200 filled forms, one folder per department."""
    root = tmp_path_factory.mktemp("good") / "回收"
    return root, _good_forms(root, GOOD)


def _rows(path: Path, sheet: str) -> list[dict[str, object]]:
    """A sheet's rows as {column title: value}."""
    header, *rows = openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)
    return [dict(zip(header, row, strict=False)) for row in rows]


def _projects(review: Path) -> list[str]:
    return [str(r["项目名称"]) for r in _rows(review, "汇总")
            if r["项目名称"] and not str(r["主管部门"] or "").startswith("合计")]


def _unreadable(review: Path) -> dict[str, str]:
    return {str(r["文件"]): str(r["原因"]) for r in _rows(review, "未能读取")}


def test_attack_files_cost_only_themselves(good: tuple[Path, list[str]], tmp_path: Path) -> None:
    """The issue's case: 200 good forms mixed with a far cell, its panicking variants, a FIFO, a link
    loop and GBK names give a review with all 200 projects once and every bad file with its reason."""
    source, names = good
    root = tmp_path / "回收"
    shutil.copytree(source, root)
    bad = root / "问题文件"
    bad.mkdir()
    far_cell(bad / "远处单元格.xlsx")
    date_panic(bad / "日期.xlsx")
    strings_panic(bad / "字符串.xlsx")
    merged_sheet(bad / "合并.xlsx")
    fifo(bad / "管道.xlsx")
    listener = unix_socket(bad / "套接字.xlsx")
    symlink_loop(bad)
    os.symlink("不存在.xlsx", bad / "断开的链接.xlsx")
    folder_loop(bad)
    gbk_good = gbk_name(root / "部门0", "转存的表.xlsx")
    shutil.copy(root / "部门1" / "001.xlsx", gbk_good)
    os.remove(root / "部门1" / "001.xlsx")  # project 001 now only under its GBK name
    far_cell(gbk_name(bad, "远处的表.xlsx"))
    review = tmp_path / "汇总.xlsx"
    try:
        result = CliRunner().invoke(cli, ["consolidate", str(root), "-o", str(review), "--jobs", "2"],
                                    prog_name="perfeval-xl")
    finally:
        listener.close()
    assert result.exit_code == 1, result.output
    projects = _projects(review)
    assert sorted(projects) == sorted(names)  # every good form exactly once
    reasons = _unreadable(review)
    assert reasons == {
        os.path.join("问题文件", "远处单元格.xlsx"): far_reason("远处单元格.xlsx"),
        os.path.join("问题文件", "远处的表.xlsx"): far_reason("远处的表.xlsx"),
        os.path.join("问题文件", "日期.xlsx"): "日期.xlsx" + PANIC,
        os.path.join("问题文件", "字符串.xlsx"): "字符串.xlsx" + STRINGS.format(size=_strings_part_size(bad)),
        os.path.join("问题文件", "合并.xlsx"): "合并.xlsx" + MERGED,
        os.path.join("问题文件", "管道.xlsx"): "是命名管道（FIFO），不是普通文件，已跳过",
        os.path.join("问题文件", "套接字.xlsx"): "是套接字（socket），不是普通文件，已跳过",
        os.path.join("问题文件", "循环.xlsx"): LOOP,
        os.path.join("问题文件", "循环.xlsx.b.xlsx"): LOOP,
        os.path.join("问题文件", "断开的链接.xlsx"): DANGLING,
        os.path.join("问题文件", "又是本文件夹"): FOLDER_SEEN,
    }, reasons
    files = {str(r["文件"]) for r in _rows(review, "汇总") if r["文件"]}
    assert os.path.join("部门0", "转存的表.xlsx") in files  # the GBK name, shown decoded
    assert "未能读取 5 个" in result.stdout


def test_check_on_a_calamine_format_reads_in_a_worker(tmp_path: Path) -> None:
    """.ods/.xlsb/.xls are read by python-calamine's native code in `check` too: a sheet it would lay
    out as 2.9 GB is read in a worker process under the memory limit, and refused with the reason
    (in the command's own process it would allocate the lot, or abort)."""
    path = ods_grid(tmp_path / "网格.ods")
    proc = subprocess.run([*CLI, "check", str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == ("错误：网格.ods：读取时超出内存/时间限制，可能是被构造的文件（超过 2,048 MB），无法读取；"
                           "如确是正常填写的自评表，请在 Excel/WPS 中打开后另存为 .xlsx 再试\n")


def _strings_part_size(folder: Path) -> int:
    import zipfile

    with zipfile.ZipFile(folder / "字符串.xlsx") as archive:
        return archive.getinfo("xl/sharedStrings.xml").file_size


CHECK_CASES = {
    "远处单元格.xlsx": (far_cell, far_reason("远处单元格.xlsx")),
    "字符串.xlsx": (strings_panic, None),
    "合并.xlsx": (merged_sheet, "合并.xlsx" + MERGED),
    "格式.xlsx": (style_bomb, "格式.xlsx 中有 100,000 个单元格格式，超过 Excel 的上限（64,000），可能是被构造的文件，拒绝读取"),
    "工作表.xlsx": (many_sheets, "工作表.xlsx 有 1,001 个工作表，远多于任何自评表，可能是被构造的文件，拒绝读取"),
}


@pytest.mark.parametrize("name", sorted(CHECK_CASES))
def test_check_refuses_an_attack_file_at_once_under_a_memory_cap(name: str, tmp_path: Path) -> None:
    """check/score (openpyxl) refuse the file before building anything: exit 2 and the reason,
    in a process that may use 1 GB (it used to run for minutes, or ask for 512 GB)."""
    write, reason = CHECK_CASES[name]
    path = write(tmp_path / name)
    if reason is None:
        reason = name + STRINGS.format(size=_strings_part_size(tmp_path))
    for command in ("check", "score"):
        proc = run_capped([*CLI, command, str(path)], megabytes=1024, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == f"错误：{reason}\n"


def test_a_file_that_exhausts_the_memory_limit_is_remembered(good: tuple[Path, list[str]], tmp_path: Path) -> None:
    """A workbook within every extent check whose reading needs more than the worker may use: it is
    listed with the limit it exceeded, the good forms are read, and a re-run does not read it again."""
    source, names = good
    root = tmp_path / "回收"
    shutil.copytree(source / "部门2", root)
    dense(root / "大表.xlsx", 2000, 1000)
    db, review = tmp_path / "review.sqlite", tmp_path / "汇总.xlsx"
    first = consolidate([str(root)], review, db=db, jobs=2, limits=Limits(60, 300))
    expected = limit_reason("超过 300 MB")
    assert _unreadable(review) == {"大表.xlsx": expected}
    assert sorted(_projects(review)) == sorted(n for i, n in enumerate(names) if i % 5 == 2)
    assert first.failed == 1
    again = consolidate([str(root)], review, db=db, jobs=2, limits=Limits(60, 300))
    assert again.read == 0 and again.reused == again.files  # the failure is known by content
    assert _unreadable(review) == {"大表.xlsx": expected}


def test_the_pool_survives_every_way_a_worker_can_die(tmp_path: Path) -> None:
    """Abort, segfault, a hang past the time limit, Python and native allocations past the memory
    limit, a kill from outside, an unexpected exit: each costs only its item, in order."""
    far = far_cell(tmp_path / "far.xlsx")
    items = ["ok-0", "abort", "ok-1", "segfault", "ok-2", "hang", "ok-3", "hog", "ok-4", f"native-hog:{far}",
             "killed", f"killed-once:{tmp_path / 'marker'}", "exit", *[f"ok-{i}" for i in range(5, 40)]]
    with IsolatedPool(misbehave, 2, Limits(seconds=3, memory_mb=400)) as pool:
        outcomes = list(pool.run(items))
    assert len(outcomes) == len(items)
    got = {}
    for outcome in outcomes:
        if isinstance(outcome, Failed):
            got[items[outcome.index]] = (outcome.kind, outcome.detail)
        else:
            got[items[outcome[0]]] = outcome[1]
    assert {k: v for k, v in got.items() if not k.startswith("ok-")} == {
        "abort": ("memory", "读取进程异常中止（SIGABRT），通常是内存超出 400 MB"),
        "segfault": ("crash", "读取进程崩溃（SIGSEGV）"),
        "hang": ("time", "超过 3 秒"),
        "hog": ("memory", "超过 400 MB"),
        f"native-hog:{far}": ("memory", "超过 400 MB"),
        "killed": ("crash", "读取进程被系统终止（SIGKILL），可能是内存不足"),  # twice: not a stranger's kill
        f"killed-once:{tmp_path / 'marker'}": f"done killed-once:{tmp_path / 'marker'}",  # tried again
        "exit": ("crash", "读取进程意外退出（退出码 7）"),
    }
    assert all(got[k] == f"done {k}" for k in items if k.startswith("ok-"))
    assert pool.kept_log is not None and "memory allocation" in pool.kept_log.read_text(encoding="utf-8")


def test_a_slow_file_costs_its_time_limit(tmp_path: Path) -> None:
    """A file whose reading takes far longer than the time limit (a million cells: seconds here,
    against a limit of one) is given up, named with the reason, and the rest is read."""
    root = tmp_path / "回收"
    names = _good_forms(root, 3)
    dense(root / "慢.xlsx", 1000, 1000)
    review = tmp_path / "汇总.xlsx"
    done = consolidate([str(root)], review, jobs=1, limits=Limits(1, 2048))
    assert _unreadable(review) == {"慢.xlsx": limit_reason("超过 1 秒")}
    assert sorted(_projects(review)) == sorted(names) and done.failed == 1


def test_an_internal_error_reading_one_file_is_its_reason_and_a_log(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A defect of perfeval-xl met in one file: the file is listed with the internal-error reason and
    the traceback goes to the worker's log (stderr, which the pool keeps), never to the user."""
    import perfeval_xl.reader.fast as fast
    from perfeval_xl.consolidate.worker import process_file

    path = tmp_path / "表.xlsx"
    build_form(make_case(0).filled_spec(), path)

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a defect")

    monkeypatch.setattr(fast, "evaluate_fast", broken)
    record = process_file(str(path))
    assert (record["status"], record["error"], record["projects"]) == ("error", INTERNAL_REASON, [])
    assert record["sha256"] is not None  # remembered by content
    err = capsys.readouterr().err
    assert err.startswith(f"内部错误：{path}\nTraceback") and "ZeroDivisionError: a defect" in err


def test_an_internal_error_exits_3_with_a_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import perfeval_xl.consolidate as module

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a defect")

    monkeypatch.setattr(module, "consolidate", broken)
    monkeypatch.setenv("PERFEVAL_XL_LOG_DIR", str(tmp_path / "logs"))
    result = CliRunner().invoke(cli, ["consolidate", str(tmp_path), "-o", str(tmp_path / "a.xlsx")],
                                prog_name="perfeval-xl")
    assert result.exit_code == 3
    [log] = (tmp_path / "logs").glob("perfeval-xl-错误-*.log")
    assert result.stderr == (f"错误：perfeval-xl 内部出错，未能完成。详细信息已写入 {log}，请把该文件和所用的输入文件交给 "
                             "perfeval-xl 的维护者；已写出的文件和汇总库不受影响\n")
    assert "Traceback" not in result.stderr and "ZeroDivisionError: a defect" in log.read_text(encoding="utf-8")


def test_discovery_never_follows_a_loop_or_opens_a_special_file(tmp_path: Path) -> None:
    from perfeval_xl.consolidate.discover import discover

    (tmp_path / "a").mkdir()
    build_form(dataclasses.replace(make_case(0).filled_spec()), tmp_path / "a" / "表.xlsx")
    os.symlink(tmp_path / "a", tmp_path / "b")  # the same folder twice
    fifo(tmp_path / "a" / "管道.xlsx")
    symlink_loop(tmp_path / "a")
    folder_loop(tmp_path / "a")
    os.symlink("/dev/null", tmp_path / "a" / "设备.xlsx")
    found = discover([str(tmp_path)])
    assert [p.name for p in found.files] == ["表.xlsx"]
    reasons = {p.name: r for p, r in found.skipped}
    assert reasons["管道.xlsx"] == "是命名管道（FIFO），不是普通文件，已跳过"
    assert reasons["循环.xlsx"] == LOOP
    assert reasons["设备.xlsx"] == "是字符设备文件，不是普通文件，已跳过"
    assert reasons["b"] == FOLDER_SEEN or reasons["a"] == FOLDER_SEEN


def test_two_runs_on_one_store_wait_or_are_refused(good: tuple[Path, list[str]], tmp_path: Path) -> None:
    source, _ = good
    db = tmp_path / "review.sqlite"
    holder = Store(db)
    holder.start_run(["别的任务"])
    holder.lock()
    try:
        refused = CliRunner().invoke(cli, ["consolidate", str(source / "部门1"), "-o", str(tmp_path / "a.xlsx"),
                                           "--db", str(db)], prog_name="perfeval-xl")
        assert refused.exit_code == 2
        assert refused.stderr.startswith(f"错误：汇总库 {db} 正被另一个汇总任务使用（进程 {os.getpid()}，开始于 ")
        assert refused.stderr.endswith("本次没有读取任何文件；请等它完成后再运行，或用 --wait 秒数 等它结束，或换一个 --db\n")
        assert not (tmp_path / "a.xlsx").exists()
    finally:
        holder.close()
    waited = CliRunner().invoke(cli, ["consolidate", str(source / "部门1"), "-o", str(tmp_path / "a.xlsx"),
                                      "--db", str(db), "--wait", "30"], prog_name="perfeval-xl")
    assert waited.exit_code == 0, waited.output


def test_a_second_run_waits_for_the_first(good: tuple[Path, list[str]], tmp_path: Path) -> None:
    """Two processes on one --db at once (it used to fail with UNIQUE constraint failed): the second
    waits for the lock, and both reviews are complete."""
    source, names = good
    db = tmp_path / "review.sqlite"
    runs = [subprocess.Popen([*CLI, "consolidate", str(source), "-o", str(tmp_path / f"{i}.xlsx"), "--db", str(db),
                              "--wait", "300", "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for i in range(2)]
    for run in runs:
        _out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    for i in range(2):
        assert sorted(_projects(tmp_path / f"{i}.xlsx")) == sorted(names)
    _sound(db)


def _sound(db: Path) -> None:
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = connection.execute(
            "SELECT count(*) FROM indicators i LEFT JOIN projects p ON p.id = i.project_id WHERE p.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
    finally:
        connection.close()


def test_a_full_store_says_so_and_stays_sound(good: tuple[Path, list[str]], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while results are stored (SQLite's SQLITE_FULL, as on a full disk): the run stops
    with a Chinese message, the store holds what was stored, and the next run completes it."""
    source, names = good
    db = tmp_path / "review.sqlite"
    original = Store.__init__

    def small(self: Store, path: Path | str, context: str = "") -> None:
        original(self, path, context)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages + 60}")

    monkeypatch.setattr(Store, "__init__", small)
    with pytest.raises(FileError) as raised:
        consolidate([str(source)], tmp_path / "汇总.xlsx", db=db, jobs=2)
    assert str(raised.value).startswith(f"汇总库 {db} 所在的磁盘已满：最后 ")
    assert str(raised.value).endswith("已保存的结果完好；请清理磁盘后重新运行，会从中断处继续")
    assert not (tmp_path / "汇总.xlsx").exists()
    monkeypatch.setattr(Store, "__init__", original)
    _sound(db)
    resumed = consolidate([str(source)], tmp_path / "汇总.xlsx", db=db, jobs=2)
    assert 0 < resumed.reused < GOOD and resumed.read + resumed.reused == GOOD
    assert sorted(_projects(tmp_path / "汇总.xlsx")) == sorted(names)


def test_nothing_is_read_when_the_output_or_the_store_cannot_be_written(good: tuple[Path, list[str]],
                                                                        tmp_path: Path) -> None:
    source, _ = good
    blocker = tmp_path / "不是文件夹"
    blocker.write_text("x", encoding="utf-8")
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["consolidate", str(source), "-o", str(blocker / "汇总.xlsx")],
                                prog_name="perfeval-xl")
    assert result.exit_code == 2
    assert result.stderr == f"错误：无法写入汇总工作簿 {blocker / '汇总.xlsx'}：{blocker} 是一个文件，不是文件夹，请检查路径\n"
    not_a_store = tmp_path / "汇总.xlsx"
    not_a_store.write_bytes(b"PK\x03\x04" + bytes(200))
    result = CliRunner().invoke(cli, ["consolidate", str(source), "-o", str(tmp_path / "b.xlsx"),
                                      "--db", str(not_a_store)], prog_name="perfeval-xl")
    assert result.exit_code == 2
    assert result.stderr == (f"错误：{not_a_store} 不是汇总库（SQLite 文件）或已损坏；请检查 --db 是否写错"
                             "（不要指向汇总工作簿），或换一个新的 --db\n")
    assert time.perf_counter() - start < 20  # refused before reading 200 forms


# ---------------------------------------------------------------------------
# kill -9 at several moments


KILLER = """
import os, sys, time
from pathlib import Path
import perfeval_xl.consolidate as c
import perfeval_xl.consolidate.review as review
import perfeval_xl.consolidate.store as store
moment, marker = sys.argv[1], Path(sys.argv[2])

def pause():
    marker.touch()
    time.sleep(600)

if moment == "storing":  # in the middle of a transaction
    original = store.Store._add
    count = [0]
    def add(self, run_id, record):
        count[0] += 1
        original(self, run_id, record)
        if count[0] == 45:
            pause()
    store.Store._add = add
elif moment == "reading":  # results coming in, some stored
    original_flush = store.Store.add_results
    calls = [0]
    def add_results(self, run_id, records):
        calls[0] += 1
        original_flush(self, run_id, records)
        if calls[0] == 3:
            pause()
    store.Store.add_results = add_results
elif moment == "writing":  # the review half written
    original_details = review._details
    def details(*args, **kwargs):
        original_details(*args, **kwargs)
        pause()
    review._details = details
if __name__ == "__main__":
    c.consolidate([sys.argv[3]], Path(sys.argv[4]), db=Path(sys.argv[5]), jobs=2)
"""


@pytest.mark.parametrize("moment", ["reading", "storing", "writing"])
def test_kill_9_leaves_a_sound_store_and_the_last_review(good: tuple[Path, list[str]], tmp_path: Path,
                                                         moment: str) -> None:
    source, names = good
    db, review = tmp_path / "review.sqlite", tmp_path / "汇总.xlsx"
    consolidate([str(source / "部门0")], review, db=db, jobs=1)  # a previous review
    before = review.read_bytes()
    script, marker = tmp_path / "killer.py", tmp_path / "marker"
    script.write_text(KILLER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), moment, str(marker), str(source), str(review), str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, as a power cut or an OOM killer would
    finally:
        proc.wait(timeout=60)
    assert review.read_bytes() == before  # the last review is intact
    _sound(db)
    again = consolidate([str(source)], review, db=db, jobs=2)
    assert sorted(_projects(review)) == sorted(names)
    assert again.read + again.reused == GOOD
    if moment != "writing":
        assert again.reused > 40  # what was stored before the kill is not read again
    _sound(db)


# ---------------------------------------------------------------------------
# What a result is reused for


def test_a_stored_result_is_reused_only_in_its_context(good: tuple[Path, list[str]], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Another --profile, --year or rule data rescores every form; the same ones reuse every result."""
    source, _ = good
    db = tmp_path / "review.sqlite"
    folder = str(source / "部门3")
    first = consolidate([folder], tmp_path / "a.xlsx", db=db, jobs=2)
    assert first.read == GOOD // 5
    assert consolidate([folder], tmp_path / "b.xlsx", db=db, jobs=2).read == 0
    assert consolidate([folder], tmp_path / "c.xlsx", db=db, jobs=2, profile="sichuan").read == GOOD // 5
    assert consolidate([folder], tmp_path / "d.xlsx", db=db, jobs=2, year=2021).read == GOOD // 5
    import perfeval_xl.consolidate as module

    monkeypatch.setattr(module, "rules_digest", lambda: "a corrected profile")
    assert consolidate([folder], tmp_path / "e.xlsx", db=db, jobs=2).read == GOOD // 5
    # the review rebuilt from the store is the last run's, read in its own context
    rebuilt = consolidate([], tmp_path / "f.xlsx", db=db)
    assert rebuilt.review.projects == GOOD // 5


def test_a_full_disk_while_writing_the_review_keeps_the_last_one(good: tuple[Path, list[str]], tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The review cannot be written (the disk fills as it is closed): the run says so in Chinese, the
    previous review stays as it was, and no partial file is left beside it."""
    import errno

    import xlsxwriter

    source, _ = good
    review = tmp_path / "汇总.xlsx"
    consolidate([str(source / "部门4")], review, jobs=1)
    before = review.read_bytes()

    def full(self: xlsxwriter.Workbook) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", full)
    result = CliRunner().invoke(cli, ["consolidate", str(source / "部门4"), "-o", str(review)],
                                prog_name="perfeval-xl")
    assert result.exit_code == 2
    assert result.stderr == f"错误：无法写入 {review}：磁盘空间不足，请清理磁盘后重试\n"
    assert review.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]
