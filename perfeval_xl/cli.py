"""The perfeval-xl command line. Each command parses its arguments, calls one
library function and turns the library's errors into a Chinese message and an
exit code: 0 done, 1 the input has errors (check) or some files could not be read
(consolidate), 2 the input cannot be read or the command could not start, 3 an
internal error (a Chinese message and the path of a log with the details)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__, display
from .clizh import ZhGroup
from .errors import FileError, PerfEvalError, os_reason
from .inputs import evaluate_input, load_spec_file
from .kinds import SELF, file_kind, get_kind, kind_of
from .pathtext import readable
from .profiles import DEFAULT_PROFILE
from .render import findings_text

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(func: F) -> F:
    """Report perfeval-xl errors as their Chinese message and exit 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PerfEvalError as exc:
            click.echo(f"错误：{exc}", err=True)
            sys.exit(EXIT_UNREADABLE)
        except OSError as exc:  # a file the library did not expect to fail (disk full, locked …)
            where = f" {readable(exc.filename)}" if exc.filename else ""
            click.echo(f"错误：无法读写文件{where}：{os_reason(exc)}", err=True)
            sys.exit(EXIT_UNREADABLE)
        except MemoryError:
            click.echo("错误：内存不足，未能完成；输入的文件可能过大，或是被构造的文件", err=True)
            sys.exit(EXIT_UNREADABLE)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a defect of perfeval-xl: a log for the maintainers, never a traceback
            from .crashlog import internal_error_message, write_crash_log

            click.echo(internal_error_message(write_crash_log(exc)), err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def _key_option(help_text: str) -> Callable[[F], F]:
    """--key FILE: the finance bureau's seal key (perfeval-xl key new)."""
    return click.option("--key", "key_path", type=click.Path(path_type=Path), metavar="密钥文件", help=help_text)


def _load_key(path: Path | None) -> Any:
    if path is None:
        return None
    from .seal import read_key

    return read_key(path)


@contextmanager
def _progress_bar(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal; nothing otherwise (pipes, logs, tests)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@click.group(cls=ZhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="perfeval-xl", message="%(prog)s %(version)s", help="显示版本并退出。")
def cli() -> None:
    """perfeval-xl：项目支出绩效自评表的计分、生成、检查与汇总。"""


def _read_options(func: F) -> F:
    """--sheet, --year, --profile: how to read a workbook typed by hand."""
    func = click.option("--profile", help="计分规则（手工填写的表默认 mof-2020；见 perfeval-xl profiles）。")(func)
    func = click.option("--year", type=int, help="评价年度（表中未写明年度时）。")(func)
    func = click.option("--sheet", help="只读取这个工作表（默认读取所有像自评表的工作表）。")(func)
    return func


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（供程序读取）。")
@_read_options
@_key_option("财政局的密钥文件：核对自评表的印章（是否由本局下发、下发后是否被改动）。")
@_friendly
def score(input_path: Path, as_json: bool, sheet: str | None, year: int | None, profile: str | None,
          key_path: Path | None) -> None:
    """按规则计算 INPUT（项目文件 .yaml/.json，或填好的自评表、评分表 .xlsx）的得分、总分和等级。"""
    results = evaluate_input(input_path, sheet=sheet, year=year, profile=profile, key=_load_key(key_path))
    if as_json:
        data = [kind_of(r).to_json(r) for r in results]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
        return
    for result in results:
        click.echo(kind_of(result).text(result))


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@click.option("--db", type=click.Path(path_type=Path),
              help="汇总库（consolidate --db）：与往年同一项目对照，指出上年大幅超额而本年未提高的指标值。")
@_read_options
@_key_option("财政局的密钥文件：核对自评表的印章（是否由本局下发、下发后是否被改动）。")
@_friendly
def check(input_path: Path, as_json: bool, db: Path | None, sheet: str | None, year: int | None,
          profile: str | None, key_path: Path | None) -> None:
    """检查 INPUT（项目文件、自评表或评分表），列出全部问题。退出码：0 无错误，1 有错误，2 无法读取，3 内部错误。"""
    results = evaluate_input(input_path, sheet=sheet, year=year, profile=profile, key=_load_key(key_path))
    if db is not None:
        from .consolidate.history import check_against_store

        check_against_store(results, db)
    if as_json:
        data = [
            {"project": r.spec.project, "source": r.spec.source,
             "findings": [f.to_dict() for f in r.all_findings()]}
            for r in results
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for result in results:
            click.echo(findings_text(result))
    sys.exit(EXIT_FINDINGS if any(r.has_errors() for r in results) else EXIT_OK)


@cli.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="输出文件（默认：项目名称.xlsx，xlwings 模式为 .xlsm）。")
@click.option("--password", help="工作表和工作簿结构的保护密码（可选，1–15 位英文字母或数字）。")
@click.option("--spare-rows", type=click.IntRange(0, 20), default=2, show_default=True,
              help="每个二级指标下的备用空行数。")
@click.option("--mode", type=click.Choice(["native", "xlwings", "lite"]), default="native", show_default=True,
              help="native：Excel/WPS/LibreOffice 公式计分；xlwings：由 perfeval-xl 加载项的函数计分（.xlsm，需 Windows Excel）；"
                   "lite：由 xlwings Lite 加载项运行表内自带的计分代码（.xlsx，Excel 365/2021+，Windows、Mac 或网页版）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@_key_option("财政局的密钥文件（perfeval-xl key new 生成）：给自评表或评分表盖章，回收时可核对真伪。")
@_friendly
def new(spec_path: Path, output: Path | None, password: str | None, spare_rows: int, mode: str,
        force: bool, key_path: Path | None) -> None:
    """由项目文件 SPEC 生成锁定的项目支出绩效自评表（.xlsx 或 .xlsm）或评分表（kind: evaluation，.xlsx），填写时自动计分。"""
    from .form import build_form

    key = _load_key(key_path)
    spec = load_spec_file(spec_path)
    kind = kind_of(spec)
    target = output or Path(kind.default_name(spec, mode))
    if target.exists() and not force:
        raise FileError(f"文件 {target} 已存在；如需覆盖请加 --force")
    built = build_form(spec, target, password=password, spare_rows=spare_rows, mode=mode, key=key)
    for warning in built.warnings:
        click.echo(f"注意：{warning}", err=True)
    sealed = f"，已用密钥 {key.key_id} 盖章" if key is not None else ""
    click.echo(f"已生成{kind.sheet if kind.name != SELF else ''} {target}（{len(spec.indicators)} 个指标，"
               f"规则 {built.plan.rules.profile}{sealed}）")


@cli.command("targets-template")
@click.option("-o", "--output", type=click.Path(path_type=Path), default="绩效目标清单.xlsx", show_default=True,
              help="输出文件。")
@click.option("--profile", default=DEFAULT_PROFILE, show_default=True, help="计分规则（决定下拉列表中的指标体系）。")
@click.option("--year", type=int, help="预算年度（默认：上一年）。")
@click.option("--three-part", is_flag=True,
              help="年度指标值分为指标性质、指标值、度量单位三列（预算管理一体化系统导出的格式）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@_friendly
def targets_template(output: Path, profile: str, year: int | None, three_part: bool, force: bool) -> None:
    """生成绩效目标清单模板（.xlsx）：每行一个指标，填好后用 batch 命令为每个项目生成自评表。"""
    from .batch import write_template

    if output.exists() and not force:
        raise FileError(f"文件 {output} 已存在；如需覆盖请加 --force")
    write_template(output, profile, year, three_part=three_part)
    click.echo(f"已生成 {output}：在“绩效目标”工作表中每行填写一个指标，然后运行 perfeval-xl batch {output} -o 输出文件夹")


@cli.command()
@click.argument("list_path", metavar="LIST", type=click.Path(path_type=Path))
@click.option("-o", "--outdir", type=click.Path(path_type=Path), required=True, help="输出文件夹。")
@click.option("--mode", type=click.Choice(["native", "xlwings", "lite"]), default="native", show_default=True,
              help="native：原生公式（.xlsx）；xlwings：Python 函数（.xlsm）；lite：xlwings Lite 函数（.xlsx，表内自带计分代码）。")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="并行进程数（默认：CPU 数）。")
@click.option("--force", is_flag=True, help="覆盖已存在的自评表。")
@click.option("--password", help="工作表和工作簿结构的保护密码（可选，1–15 位英文字母或数字）。")
@click.option("--spare-rows", type=click.IntRange(0, 20), default=2, show_default=True,
              help="每个二级指标下的备用空行数。")
@_key_option("财政局的密钥文件（perfeval-xl key new 生成）：给每份自评表盖章，回收时可核对真伪。")
@_friendly
def batch(list_path: Path, outdir: Path, mode: str, jobs: int | None, force: bool, password: str | None,
          spare_rows: int, key_path: Path | None) -> None:
    """按绩效目标清单 LIST（.xlsx/.csv）为每个项目生成一份自评表，并写出生成清单。

    退出码：0 全部生成，1 有项目未生成（清单有错误，或文件已存在未覆盖），2 清单无法读取。
    """
    from .batch import Status, generate_batch

    with _progress_bar("生成自评表") as progress:
        report = generate_batch(list_path, outdir, mode=mode, jobs=jobs, force=force, password=password,
                                spare_rows=spare_rows, progress=progress, key=_load_key(key_path))
    problems = report.problems
    if problems:
        failed = sum(1 for o in report.outcomes if o.listed.problems)
        click.echo(f"清单 {list_path} 有 {len(problems)} 处错误，{failed} 个项目未生成：", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
    if report.warnings:
        click.echo(f"清单 {list_path} 有 {len(report.warnings)} 处警告（项目照常生成，请核对是否如此理解）：", err=True)
        for listed in report.warnings:
            click.echo(f"  - {listed}", err=True)
    for outcome in report.outcomes:
        if outcome.status is Status.FAILED and not outcome.listed.problems:
            click.echo(f"项目“{outcome.listed.project}”未生成：{outcome.reason}", err=True)
        for warning in outcome.warnings:
            click.echo(f"注意：{outcome.filename}：{warning}", err=True)
    existing = [o.filename for o in report.outcomes if o.status is Status.EXISTS]
    if existing:
        shown = "、".join(existing[:5]) + ("等" if len(existing) > 5 else "")
        click.echo(f"注意：{len(existing)} 个文件已存在，未覆盖（{shown}）；如需覆盖请加 --force", err=True)
    generated = report.count(Status.GENERATED)
    click.echo(f"已生成 {generated} 份自评表（共 {len(report.outcomes)} 个项目）到 {report.outdir}，"
               f"生成清单：{report.manifest}")
    sys.exit(EXIT_OK if report.complete else EXIT_FINDINGS)


@cli.command()
@click.argument("form", type=click.Path(path_type=Path))
@click.option("--pdf", "pdf", type=click.Path(path_type=Path), help="PDF 文件（A4 横向，LibreOffice 生成）。")
@click.option("--values", "values", type=click.Path(path_type=Path), help="只含数值的副本（.xlsx）。")
@click.option("--report", "report", type=click.Path(path_type=Path), help="报告段落（.docx）：自评表和分析文字。")
@_read_options
@_friendly
def export(form: Path, pdf: Path | None, values: Path | None, report: Path | None, sheet: str | None,
           year: int | None, profile: str | None) -> None:
    """导出 FORM（填好的自评表或评分表）的附件：PDF、只含数值的副本、报告段落。不指定时三者都导出到 FORM 旁边。"""
    if pdf is None and values is None and report is None:
        pdf = form.with_suffix(".pdf")
        values = form.with_name(f"{form.stem}-数值.xlsx")
        report = form.with_name(f"{form.stem}-报告.docx")
    done = get_kind(file_kind(form)).export(form, pdf=pdf, values=values, report=report, sheet=sheet, year=year,
                                            profile=profile)
    for label, path in (("PDF", done.pdf), ("数值副本", done.values), ("报告段落", done.report)):
        if path is not None:
            click.echo(f"已导出{label}：{path}")
    errors = [f for f in done.result.all_findings() if f.severity.value == "error"]
    if errors:
        click.echo(f"注意：表中还有 {len(errors)} 个错误（perfeval-xl check 可列出），导出的附件反映的是当前填写的内容",
                   err=True)


@cli.command()
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("汇总.xlsx"), show_default=True,
              help="汇总工作簿。")
@click.option("--db", type=click.Path(path_type=Path), help="汇总库（SQLite）：再次运行时只读新增或改动的文件，保留历次提交。")
@click.option("--jobs", type=click.IntRange(1, 64), help="并行进程数（默认：CPU 核数）。")
@click.option("--year", type=int, help="手工填写的表未写年度时使用的评价年度。")
@click.option("--profile", help="手工填写的表使用的计分规则（默认 mof-2020）。")
@click.option("--expected", type=click.Path(path_type=Path),
              help="下发时 batch 写出的生成清单（生成清单.xlsx）：列出未回收、重复提交、清单外和与下发不一致的表。")
@click.option("--sample", type=click.IntRange(0, None),
              help="“抽查”表按主管部门分层随机抽取的份数（默认：项目数的十分之一），另加全部有错误的表。")
@click.option("--seed", type=int, help="抽查的随机种子（默认 2020）；同样的种子和回收表得到同样的样本。")
@_key_option("财政局的密钥文件：核对每份自评表的印章，没有本局印章或下发后被改动的列为错误。")
@click.option("--time-limit", type=click.FloatRange(1, 3600), default=60, show_default=True, metavar="秒",
              help="读取一个文件最多用的时间，超过即跳过并记录原因。")
@click.option("--memory-limit", type=click.IntRange(256, 1_048_576), default=2048, show_default=True,
              metavar="MB", help="每个读取进程最多用的内存，超过即跳过该文件并记录原因。")
@click.option("--wait", type=click.FloatRange(0, 86400), default=0, show_default=True, metavar="秒",
              help="汇总库正被另一个汇总任务使用时，最多等待的时间（0：不等待，立即报错）。")
@_friendly
def consolidate(inputs: tuple[str, ...], output: Path, db: Path | None, jobs: int | None, year: int | None,
                profile: str | None, expected: Path | None, sample: int | None, seed: int | None,
                key_path: Path | None, time_limit: float, memory_limit: int, wait: float) -> None:
    """汇总 INPUTS（文件、文件夹或通配符）中回收的自评表：逐份按规则重新计分，写出一个审核工作簿。

    不给 INPUTS 而给 --db 时，由汇总库重建上次的汇总工作簿。退出码：0 完成，1 完成但有文件未能读取，
    2 无法进行（参数有误，汇总工作簿或汇总库无法写入，都在读取前检查），3 内部错误。
    """
    from .consolidate import Limits
    from .consolidate import consolidate as run_consolidate

    key = _load_key(key_path)
    with _progress("读取自评表") as progress:
        done = run_consolidate(list(inputs), output, db=db, jobs=jobs, year=year, profile=profile, key=key,
                               limits=Limits(time_limit, memory_limit), wait=wait,
                               waiting=lambda text: click.echo(f"注意：{text}", err=True), progress=progress,
                               expected=expected, sample=sample, seed=seed)
    review = done.review
    click.echo(f"已写出 {done.output}：{review.projects} 个项目，{review.indicators} 个指标，"
               f"{review.findings} 条错误和警告")
    if inputs:
        click.echo(f"文件 {done.files} 个：读取 {done.read} 个，沿用已读结果 {done.reused} 个，未能读取 "
                   f"{review.unreadable} 个（见“未能读取”表）")
    if review.returns is not None:
        click.echo(f"回收情况：{review.returns.summary()}（见“回收情况”表）")
        missing = review.returns.missing()
        for line in missing[:MISSING_SHOWN]:
            click.echo(f"  未回收：{line.department or '—'} {line.unit or '—'}：{line.project}（{line.issued_file}）")
        if len(missing) > MISSING_SHOWN:
            click.echo(f"  ……另有 {len(missing) - MISSING_SHOWN} 份未回收，见“回收情况”表")
    for path, note in done.own_files:
        click.echo(f"注意：已跳过 {path}：{note}", err=True)
    for missing_input in done.missing:
        click.echo(f"注意：没有找到 {missing_input}", err=True)
    if done.log is not None:
        click.echo(f"注意：有文件读取时出错（见“未能读取”表），诊断信息已写入 {done.log}，可交给 perfeval-xl 的维护者",
                   err=True)
    sys.exit(EXIT_FINDINGS if review.unreadable else EXIT_OK)


MISSING_SHOWN = 20  # units not yet returned, named on the terminal (all of them are in 回收情况)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@cli.command()
@click.argument("outdir", type=click.Path(path_type=Path), default="perfeval-demo")
@_friendly
def demo(outdir: Path) -> None:
    """用内置示例（取自公开的自评报告）演示完整流程，结果写入 OUTDIR。"""
    from .demo import run_demo

    output = run_demo(outdir)
    for result in output.results:
        grade = result.grade or "未定级"
        click.echo(
            f"{result.spec.project}（{result.spec.year}年度）：执行率得分 "
            f"{display.number(result.execution.score)}，总分 {display.number(result.total)}，"
            f"{grade}；{result.status()}"
        )
    for step in output.steps:
        click.echo(step)
    click.echo(f"已写入 {len(output.files)} 个文件到 {outdir}/")


@cli.command()
@_friendly
def profiles() -> None:
    """列出可用的计分规则。"""
    from .profiles import available_profiles, read_profile

    for name in available_profiles():
        profile = read_profile(name)
        base = f"（继承 {profile.extends}）" if profile.extends else ""
        click.echo(f"{name}：{profile.title}{base}")
    _evaluation_profiles()


def _evaluation_profiles() -> None:
    """`profiles`: the 评分表's rules after the 自评表's."""
    from .kinds.evaluation.profile import evaluation_profiles, read_evaluation_profile

    click.echo("评分表（kind: evaluation）的规则：")
    for name in evaluation_profiles():
        profile = read_evaluation_profile(name)
        base = f"（继承 {profile.extends}）" if profile.extends else ""
        click.echo(f"  {name}：{profile.title}{base}")


@cli.group()
def key() -> None:
    """财政局的印章密钥：生成密钥，用它给下发的自评表盖章，回收时核对真伪。"""


@key.command("new")
@click.option("-o", "--output", type=click.Path(path_type=Path), default="财政局.key", show_default=True,
              help="密钥文件（只有文件所有者可读）。")
@click.option("--force", is_flag=True, help="替换已存在的密钥文件（用原密钥盖章的表将无法再验证）。")
@_friendly
def key_new(output: Path, force: bool) -> None:
    """生成一把新的印章密钥。密钥只存放在财政局：new/batch --key 用它盖章，check/score/consolidate --key 用它核对。"""
    from .seal import new_key, write_key

    made = new_key()
    write_key(made, output, force=force)
    click.echo(f"已生成密钥 {output}（编号 {made.key_id}）。请妥善保管、另行备份，不要发给填报单位：丢失后无法再核对"
               "用它盖章的表，泄露后他人可以伪造印章")


@cli.group()
def addin() -> None:
    """安装和查看 Excel 加载项（xlwings），使 Excel 能使用 PE_SCORE 等函数。"""


@addin.command("install")
@click.option("--dry-run", is_flag=True, help="只列出将要做的事，不做任何更改。")
@_friendly
def addin_install(dry_run: bool) -> None:
    """安装 xlwings 加载项，并把其 UDF Modules 设为 perfeval_xl.udfs（仅 Windows）。"""
    from .addin import TRUST_CENTER, excel_available, install, plan_setup

    setup = plan_setup()
    if dry_run or not excel_available():
        click.echo("将要：")
        for step in setup.steps:
            click.echo(f"  - {step}")
        click.echo(TRUST_CENTER)
        if dry_run:
            return
    for line in install(setup):
        click.echo(line)
    click.echo(TRUST_CENTER)


@addin.command("status")
@_friendly
def addin_status() -> None:
    """显示 xlwings、加载项和 UDF Modules 设置的状态。"""
    from .addin import status

    for line in status():
        click.echo(line)


def main() -> None:
    from .crashlog import log_unraisable

    sys.unraisablehook = log_unraisable  # a file closed late on a full disk: no traceback after the message
    cli(prog_name="perfeval-xl")
