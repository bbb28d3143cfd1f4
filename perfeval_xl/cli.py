"""The perfeval-xl command line. Each command parses its arguments, calls one
library function and turns the library's errors into a Chinese message and an
exit code: 0 done, 1 the input has errors (check), 2 the input cannot be read."""

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
from .engine import score_project, to_dict
from .errors import FileError, PerfEvalError
from .inputs import load_projects
from .profiles import DEFAULT_PROFILE
from .render import findings_text, result_text

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2

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

    return wrapper  # type: ignore[return-value]


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="perfeval-xl")
def cli() -> None:
    """perfeval-xl：项目支出绩效自评表的计分、生成、检查与汇总。"""


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（供程序读取）。")
@_friendly
def score(input_path: Path, as_json: bool) -> None:
    """按规则计算 INPUT（项目文件 .yaml/.json）的得分、总分和等级。"""
    results = [score_project(spec) for spec in load_projects(input_path)]
    if as_json:
        data = [to_dict(r) for r in results]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
        return
    for result in results:
        click.echo(result_text(result))


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@_friendly
def check(input_path: Path, as_json: bool) -> None:
    """检查 INPUT，列出全部问题。退出码：0 无错误，1 有错误，2 无法读取。"""
    results = [score_project(spec) for spec in load_projects(input_path)]
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
@click.option("-o", "--output", type=click.Path(path_type=Path), help="输出文件（默认：项目名称.xlsx）。")
@click.option("--password", help="工作表和工作簿结构的保护密码（可选，1–15 位英文字母或数字）。")
@click.option("--spare-rows", type=click.IntRange(0, 20), default=2, show_default=True,
              help="每个二级指标下的备用空行数。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@_friendly
def new(spec_path: Path, output: Path | None, password: str | None, spare_rows: int, force: bool) -> None:
    """由项目文件 SPEC 生成锁定的项目支出绩效自评表（.xlsx），填写时自动计分。"""
    from .form import build_form
    from .naming import safe_filename

    spec = load_projects(spec_path)[0]
    target = output or Path(safe_filename(spec.project) + ".xlsx")
    if target.exists() and not force:
        raise FileError(f"文件 {target} 已存在；如需覆盖请加 --force")
    built = build_form(spec, target, password=password, spare_rows=spare_rows)
    for warning in built.warnings:
        click.echo(f"注意：{warning}", err=True)
    click.echo(f"已生成 {target}（{len(spec.indicators)} 个指标，规则 {built.plan.rules.profile}）")


@cli.command("targets-template")
@click.option("-o", "--output", type=click.Path(path_type=Path), default="绩效目标清单.xlsx", show_default=True,
              help="输出文件。")
@click.option("--profile", default=DEFAULT_PROFILE, show_default=True, help="计分规则（决定下拉列表中的指标体系）。")
@click.option("--year", type=int, help="预算年度（默认：上一年）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@_friendly
def targets_template(output: Path, profile: str, year: int | None, force: bool) -> None:
    """生成绩效目标清单模板（.xlsx）：每行一个指标，填好后用 batch 命令为每个项目生成自评表。"""
    from .batch import write_template

    if output.exists() and not force:
        raise FileError(f"文件 {output} 已存在；如需覆盖请加 --force")
    write_template(output, profile, year)
    click.echo(f"已生成 {output}：在“绩效目标”工作表中每行填写一个指标，然后运行 perfeval-xl batch {output} -o 输出文件夹")


@cli.command()
@click.argument("list_path", metavar="LIST", type=click.Path(path_type=Path))
@click.option("-o", "--outdir", type=click.Path(path_type=Path), required=True, help="输出文件夹。")
@click.option("--mode", type=click.Choice(["native", "xlwings"]), default="native", show_default=True,
              help="native：原生公式（.xlsx）；xlwings：Python 函数（.xlsm）。")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="并行进程数（默认：CPU 数）。")
@click.option("--force", is_flag=True, help="覆盖已存在的自评表。")
@click.option("--password", help="工作表和工作簿结构的保护密码（可选，1–15 位英文字母或数字）。")
@click.option("--spare-rows", type=click.IntRange(0, 20), default=2, show_default=True,
              help="每个二级指标下的备用空行数。")
@_friendly
def batch(list_path: Path, outdir: Path, mode: str, jobs: int | None, force: bool, password: str | None,
          spare_rows: int) -> None:
    """按绩效目标清单 LIST（.xlsx/.csv）为每个项目生成一份自评表，并写出生成清单。

    退出码：0 全部生成，1 有项目未生成（清单有错误，或文件已存在未覆盖），2 清单无法读取。
    """
    from .batch import Status, generate_batch

    with _progress_bar("生成自评表") as progress:
        report = generate_batch(list_path, outdir, mode=mode, jobs=jobs, force=force, password=password,
                                spare_rows=spare_rows, progress=progress)
    problems = report.problems
    if problems:
        failed = sum(1 for o in report.outcomes if o.listed.problems)
        click.echo(f"清单 {list_path} 有 {len(problems)} 处错误，{failed} 个项目未生成：", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
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


def main() -> None:
    cli(prog_name="perfeval-xl")
