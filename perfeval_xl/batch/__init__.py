"""Batch generation: a targets list (绩效目标清单) in, one locked 自评表 per project out.

One entry point, :func:`generate_batch`. The parts: :mod:`.columns` (the list's
columns, said once), :mod:`.tables` (opening an .xlsx or CSV list),
:mod:`.targets` (rows to projects, every problem with its row),
:mod:`.generate` (file names, building forms safely and in parallel),
:mod:`.manifest` (生成清单.xlsx) and :mod:`.template` (the empty list to fill in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import FileError, os_reason
from ..seal import SealKey
from .generate import Built, FormOptions, Job, Status, build_all, default_processes, output_names
from .manifest import MANIFEST_NAME, write_manifest
from .targets import ListedProject, RowProblem, TargetList, read_targets
from .template import write_template

__all__ = [
    "BatchReport", "ProjectOutcome", "RowProblem", "Status", "generate_batch", "read_targets", "write_template",
]

Progress = Callable[[int, int], None]  # (forms done, forms to do)


@dataclass
class ProjectOutcome:
    """One project of the list and what became of it."""

    listed: ListedProject
    status: Status
    filename: str = ""  # set when a form was written (or already there)
    fingerprint: str = ""
    reason: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def state_text(self) -> str:
        """已生成 / 已存在未覆盖 / 未生成：原因."""
        return f"{self.status.value}：{self.reason}" if self.status is Status.FAILED else self.status.value


@dataclass
class BatchReport:
    """What :func:`generate_batch` did."""

    targets: TargetList
    outdir: Path
    manifest: Path
    outcomes: list[ProjectOutcome]

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    @property
    def problems(self) -> list[RowProblem]:
        return self.targets.problems

    @property
    def warnings(self) -> list[RowProblem]:
        return self.targets.warnings

    @property
    def complete(self) -> bool:
        """Every project of the list has a new form."""
        return all(o.status is Status.GENERATED for o in self.outcomes)


def generate_batch(
    list_path: str | Path,
    outdir: str | Path,
    *,
    mode: str = "native",
    jobs: int | None = None,
    force: bool = False,
    password: str | None = None,
    spare_rows: int = 2,
    progress: Progress | None = None,
    generated_at: dt.datetime | None = None,
    key: SealKey | None = None,
) -> BatchReport:
    """Write a 自评表 into ``outdir`` for every project of the list without problems, and the manifest.

    Raises :class:`FileError` when the list cannot be read at all or ``outdir``
    cannot be written; problems of rows are in the report, and only their
    projects are left out. With ``jobs`` > 1 the forms are built in worker
    processes, which (as always with multiprocessing outside Linux's fork)
    import the calling program's main module: call this under
    ``if __name__ == "__main__":`` in a script.
    """
    from ..form.protection import check_password
    from ..kinds.self.writer import SUFFIXES, check_mode

    check_mode(mode)
    check_password(password)
    list_path, outdir = Path(list_path), Path(outdir)
    targets = read_targets(list_path)
    _prepare(outdir)

    manifest = outdir / MANIFEST_NAME
    reserved = {MANIFEST_NAME}
    if list_path.parent.resolve() == outdir.resolve():
        reserved.add(list_path.name)  # a project must never overwrite the list it came from
    names = output_names([(p.department, p.project, p.unit, str(p.year or "")) for p in targets.projects],
                         SUFFIXES[mode], frozenset(reserved))
    outcomes = [ProjectOutcome(p, Status.FAILED, reason=f"清单中有 {len(p.problems)} 处错误（见“问题”工作表）")
                for p in targets.projects]
    todo = [Job(i, p.spec, outdir / names[i]) for i, p in enumerate(targets.projects) if p.spec is not None]
    options = FormOptions(mode, password, spare_rows, force,
                          generated_at or dt.datetime.now().astimezone().replace(microsecond=0), key)
    if progress:
        progress(0, len(todo))
    for done, built in enumerate(build_all(todo, options, jobs or default_processes()), start=1):
        outcomes[built.index] = _outcome(targets.projects[built.index], built, names[built.index])
        if progress:
            progress(done, len(todo))
    write_manifest(manifest, outcomes, sorted([*targets.problems, *targets.warnings], key=lambda p: p.row))
    return BatchReport(targets, outdir, manifest, outcomes)


def _outcome(listed: ListedProject, built: Built, name: str) -> ProjectOutcome:
    filename = name if built.status is not Status.FAILED else ""
    return ProjectOutcome(listed, built.status, filename, built.fingerprint, built.reason, built.warnings)


def _prepare(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise FileError(f"输出位置 {outdir} 是一个文件，请指定文件夹")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"无法创建输出文件夹 {outdir}：{os_reason(exc)}") from None
