"""Our locked form workbooks. One entry point: :func:`build_form`, which writes the form of the
spec's kind (:mod:`perfeval_xl.kinds`: the 自评表's writer :mod:`perfeval_xl.kinds.self.writer`, the
评分表's :mod:`perfeval_xl.kinds.evaluation.writer`).

What every kind's form shares lives here: cell addresses and the shared sheets (:mod:`.addresses`),
the workbook and how it is finished — protection, fingerprint, _meta, seal, atomic write
(:mod:`.workbook`), cell formats (:mod:`.styles`), the recording sheet that remembers what was
written (:mod:`.recording`), the worksheet and workbook classes (:mod:`.sheet`), sheet protection
(:mod:`.protection`), row heights for text (:mod:`.textfit`), the hidden 参数 sheet (:mod:`.params`),
the hidden _meta sheet (:mod:`.metadata`) and the xlwings Lite add-in parts (:mod:`.webextension`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from ..kinds import kind_of

if TYPE_CHECKING:
    from ..kinds.evaluation.spec import EvaluationSpec
    from ..kinds.evaluation.writer import BuiltEvaluationForm
    from ..kinds.self.writer import BuiltForm
    from ..profiles import Rules
    from ..seal import SealKey
    from ..spec import ProjectSpec

__all__ = ["build_form"]


@overload
def build_form(spec: ProjectSpec, path: str | Path, *, password: str | None = None, spare_rows: int = 2,
               mode: str = "native", rules: Rules | None = None,
               generated_at: dt.datetime | None = None, key: SealKey | None = None) -> BuiltForm: ...


@overload
def build_form(spec: EvaluationSpec, path: str | Path, *, password: str | None = None, spare_rows: int = 2,
               mode: str = "native", rules: Any = None,
               generated_at: dt.datetime | None = None, key: SealKey | None = None) -> BuiltEvaluationForm: ...


def build_form(spec: Any, path: str | Path, **options: Any) -> Any:
    """Write the locked form of ``spec``'s kind to ``path``: a 自评表 for a
    :class:`~perfeval_xl.spec.ProjectSpec`, a 评分表 for an
    :class:`~perfeval_xl.kinds.evaluation.spec.EvaluationSpec`.

    Options (as the kind takes them): ``password`` (sheet and workbook protection), ``spare_rows``
    (自评表: empty rows under each 二级指标), ``mode`` (native, or for the 自评表 xlwings and lite),
    ``rules`` (the kind's resolved rules instead of the spec's profile), ``generated_at``, ``key`` (seal
    the form with the finance bureau's key). The file is written under a temporary name beside
    ``path`` and renamed when complete.
    """
    return kind_of(spec).build(spec, path, **options)
