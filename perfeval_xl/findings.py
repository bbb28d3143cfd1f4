"""Findings: what the engine, the checker and the reader tell the user.

A finding is one problem (or one remark) with a stable English code for
programs, a Chinese message for people, and where it is: the field or
indicator (``where``) and the file position or cell (``location``).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class Severity(enum.Enum):
    """How serious a finding is. ``check`` exits 1 when any finding is an error."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "note": "提示"}[self.value]


@dataclass(frozen=True)
class Finding:
    """One problem or remark about a project or one of its indicators."""

    severity: Severity
    code: str
    where: str
    message: str
    location: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "where": self.where,
            "location": self.location,
            "message": self.message,
            "type": self.type_name,
        }

    @property
    def type_name(self) -> str:
        """问题类型: the code's short Chinese name."""
        return type_name(self.code)

    def render(self) -> str:
        at = f"（{self.location}）" if self.location else ""
        return f"[{self.severity.label}] {self.where}{at}：{self.message}"

    def render_typed(self) -> str:
        """As :meth:`render`, followed by the 问题类型 (``check``'s lines)."""
        return f"{self.render()} 〔{self.type_name}〕"


class _HasFindings(Protocol):
    findings: list[Finding]


class Reported:
    """The findings of a scored project, whatever its form kind: a subclass holds ``findings`` (about
    the project as a whole) and ``indicators`` (rows, each with its ``findings``)."""

    findings: list[Finding]
    indicators: Sequence[_HasFindings]

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for row in self.indicators:
            out.extend(row.findings)
        return out

    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.all_findings())


def error(code: str, where: str, message: str, location: str | None = None) -> Finding:
    return Finding(Severity.ERROR, code, where, message, location)


def warning(code: str, where: str, message: str, location: str | None = None) -> Finding:
    return Finding(Severity.WARNING, code, where, message, location)


def note(code: str, where: str, message: str, location: str | None = None) -> Finding:
    return Finding(Severity.NOTE, code, where, message, location)


# Every code the engine emits, with what it means. The README's table of
# findings is generated from this, and a test checks that nothing else is used.
CODES: dict[str, str] = {
    "weights-total": "分值合计（自评表含预算执行率）不等于满分 100",
    "block-weight": "一级指标分值合计与规则的原则权重不同",
    "label-weight": "一级指标名称中写的分值与该块分值合计不同",
    "level1-unknown": "一级指标名称不在规则的指标体系中",
    "level2-unknown": "二级指标名称不在规则的指标体系中",
    "level2-misplaced": "二级指标不属于所填的一级指标",
    "level-alias": "指标名称按别名识别",
    "name-missing": "三级指标名称为空",
    "duplicate-indicator": "同一二级指标下三级指标重名",
    "weight-missing": "分值为空",
    "weight-invalid": "分值为负数",
    "number-out-of-range": "数值过大（15 位有效数字以上）或作为除数过小，无法准确计算",
    "target-missing": "年度指标值为空",
    "sign-inferred": "年度指标值未写比较符号，按指标性质推定方向",
    "actual-missing": "实际完成值未填写",
    "actual-not-number": "实际完成值不是确切数字",
    "actual-has-sign": "实际完成值带有比较符号",
    "percent-as-fraction": "百分比指标的实际完成值写成了大于 1 的小数",
    "percent-scale": "百分数未写 %，按百分数换算后计分",
    "unit-mismatch": "实际完成值与年度指标值的单位不能换算",
    "target-approximate": "年度指标值含“约”“余”“左右”等字，不是确切数值",
    "target-qualitative-digits": "年度指标值含有数字，但读不出“比较符号+数值+单位”，按定性指标处理",
    "target-deadline": "年度指标值是时限或日期（如 12月底前），按定性指标处理",
    "target-parts-disagree": "指标性质与指标值不一致（如“定性”配数值），按指标值的读法计分",
    "target-nature-unknown": "指标性质不是比较符号（≥ ＞ ＝ ＜ ≤）或“定性”",
    "unit-converted": "实际完成值已换算为年度指标值的单位",
    "rating-unknown": "定性指标的实际完成值不是三个评价档次之一",
    "actual-number-for-qualitative": "定性指标的实际完成值是数值（应选择评价档次）",
    "rating-from-target": "定性指标实际完成值与年度指标值相同，按达成计",
    "score-required": "部分达成或未达成的定性指标需要在档次内给分",
    "score-out-of-band": "定性指标评分不在所选档次的分值区间内",
    "score-ignored": "定性指标尚未评档，所填评分未使用",
    "score-differs": "文件或报告写的得分与按规则重算的得分不同",
    "reason-missing": "偏差需要说明原因但未填写",
    "funds-missing": "全年预算数或全年执行数未填写",
    "funds-total-mismatch": "年度资金总额不等于各资金来源之和",
    "funds-over-executed": "全年执行数大于全年预算数",
    "funds-invalid": "资金数额为负数",
    "execution-low": "预算执行率低于规则要求说明原因的界线",
    "stated-differs": "文件或报告写的执行率、总分或等级与重算结果不同",
    "cell-error": "单元格是错误值（如 #DIV/0!）",
    "cell-not-number": "应填数字或金额的单元格不是数字或金额",
    "cell-date": "应填数值的单元格是日期（表内公式按日期序列号计算）",
    "form-altered": "自评表的锁定内容（指标、分值、公式、参数）与下发时不一致",
    "shown-differs": "自评表显示的得分、总分或等级与重算结果不同",
    "actual-unread-by-form": "实际完成值的写法表内公式不能换算（如 元 与 万元），该行在表中未计分，按规则换算后计分",
    "macros-ignored": "文件含有宏，读取时未运行",
    "values-copy": "读取的是只含数值的副本",
    "duplicate-submission": "同一项目提交了多份，或同一文件重复出现（汇总时判断）",
    "issued-differs": "回收的自评表中年度指标值或分值与下发时不同（汇总时对照生成清单判断）",
    "target-too-low": "上年实际完成值超过指标值达到超额须说明原因的界线，本年指标值却未提高，可能设置偏低"
                      "（财预〔2020〕10号：目标设置明显偏低的，按偏离度适度调减分值）",
    # the 评分表 (perfeval_xl/kinds/evaluation); it also uses codes above, such as score-differs
    "rule-unknown": "评分表：计分规则（rule）不是规则文件所列的一种",
    "funds-over-budget": "评分表：实际到位资金或执行数大于预算资金",
    "criteria-points": "评分表：评分标准各小项分值之和与该指标分值不同",
    "criteria-threshold": "评分表：评分标准写的满分线与年度指标值不同",
    "target-from-criteria": "评分表：未写年度指标值，按评分标准的满分线（如“达成90%得满分”）计分",
    "score-missing": "评分表：评价得分未填写",
    "score-out-of-range": "评分表：评价得分不在 0 至分值之间",
    "score-off-criteria": "评分表：得分不是评分标准所列的档次（如满分/80%/70%/60%，或“是则得分”的满分/0）",
    "basis-missing": "评分表：得分低于分值，未写得分依据",
    "rule-suggested": "评分表：资金到位率、预算执行率可由金额计算，未写计分规则",
    "outcome-weight-low": "评分表：产出、效益类指标分值合计低于规则的下限（原则上 60%）",
    "protection-removed": "自评表的工作表保护已被取消",
    "seal-invalid": "印章无效：不是用财政局密钥下发的表，或下发后被改动",
    # hand-made forms as units and provinces make them (perfeval_xl/reader/handmade.py, reader/hints.py)
    "subtotal-row": "手工表中的小计/合计行，不作为指标计分",
    "level2-inferred": "表中没有二级指标列，二级指标按三级指标名称推断",
    "level2-not-inferred": "表中没有二级指标列，无法推断该指标的二级指标",
    "amount-unit-converted": "项目资金表头写明以元（或亿元）计，金额已换算为万元",
    "target-direction-disagree": "指标方向（正向/反向）与年度指标值或指标性质的比较符号相反，按比较符号计分",
    "duration-limit": "时效指标的时长（如 30天）未写比较符号，按“不超过”（≤）计分",
    "actual-unit-synonym": "实际完成值的单位与年度指标值的单位同义（如 场/场次），或“无”对指标值 0，按指标值的单位计分",
    "target-note-dropped": "年度指标值单位后括号中的说明（如“（全年）”）不作为单位",
    "target-none": "年度指标值与实际完成值都是“无”（或 0），按达成计分",
    "chinese-numeral": "年度指标值或实际完成值用中文数字写数量（如 三次），不能按数值读取",
    "formula-uncached": "公式没有计算结果（由不计算公式的程序保存），须在 Excel/WPS 中打开并保存",
}

# 问题类型: the short Chinese name of each code, the column a reviewer filters on (the review's
# 问题清单, ``check``'s output). Every code in CODES has one; a test holds them together.
CODE_NAMES: dict[str, str] = {
    "weights-total": "分值合计不等于满分",
    "block-weight": "一级指标分值与规则不同",
    "label-weight": "指标名称所写分值不符",
    "level1-unknown": "一级指标名称不规范",
    "level2-unknown": "二级指标名称不规范",
    "level2-misplaced": "二级指标归属有误",
    "level-alias": "指标名称按别名识别",
    "name-missing": "三级指标名称为空",
    "duplicate-indicator": "三级指标重名",
    "weight-missing": "分值未填写",
    "weight-invalid": "分值为负数",
    "number-out-of-range": "数值超出可计算范围",
    "target-missing": "年度指标值未填写",
    "sign-inferred": "指标值未写比较符号",
    "actual-missing": "实际完成值未填写",
    "actual-not-number": "实际完成值不是数字",
    "actual-has-sign": "实际完成值带比较符号",
    "percent-as-fraction": "百分比写成了小数",
    "percent-scale": "百分数未写 %",
    "unit-mismatch": "单位不能换算",
    "target-approximate": "指标值不是确切数值",
    "unit-converted": "单位已换算",
    "rating-unknown": "定性评价档次不明",
    "rating-from-target": "定性指标按达成计",
    "score-required": "定性指标须在档次内给分",
    "score-out-of-band": "定性评分超出档次",
    "score-ignored": "定性评分未使用",
    "score-differs": "得分与重算结果不符",
    "reason-missing": "偏差未说明原因",
    "funds-missing": "资金数额未填写",
    "funds-total-mismatch": "资金总额与来源之和不符",
    "funds-over-executed": "执行数超过预算数",
    "funds-invalid": "资金数额为负数",
    "execution-low": "预算执行率偏低须说明",
    "stated-differs": "执行率、总分或等级与重算不符",
    "cell-error": "单元格为错误值",
    "cell-not-number": "单元格应为数字",
    "form-altered": "锁定内容被改动",
    "shown-differs": "表内显示结果与重算不符",
    "actual-unread-by-form": "表内公式不能识别实际完成值",
    "macros-ignored": "含宏（未运行）",
    "values-copy": "只含数值的副本",
    "duplicate-submission": "重复提交",
    "issued-differs": "与下发不一致",
    "target-too-low": "指标值可能设置偏低",
    "target-qualitative-digits": "含数字的指标值按定性处理",
    "target-deadline": "指标值为时限，按定性处理",
    "target-parts-disagree": "指标性质与指标值不一致",
    "target-nature-unknown": "指标性质不规范",
    "actual-number-for-qualitative": "定性指标填了数值",
    "cell-date": "数值单元格为日期",
    "rule-unknown": "计分规则不明",
    "funds-over-budget": "到位或执行超过预算",
    "criteria-points": "评分标准小项分值不符",
    "criteria-threshold": "评分标准满分线与指标值不同",
    "target-from-criteria": "按评分标准的满分线计分",
    "score-missing": "评价得分未填写",
    "score-out-of-range": "评价得分超出分值范围",
    "score-off-criteria": "得分不在评分标准档次上",
    "basis-missing": "扣分未写得分依据",
    "rule-suggested": "可按金额计算的指标未写规则",
    "outcome-weight-low": "产出效益分值偏低",
    "protection-removed": "工作表保护被取消",
    "seal-invalid": "印章无效",
    "subtotal-row": "小计行未计分",
    "level2-inferred": "二级指标按名称推断",
    "level2-not-inferred": "二级指标无法推断",
    "amount-unit-converted": "金额已由元换算为万元",
    "target-direction-disagree": "指标方向与比较符号相反",
    "duration-limit": "时限按不超过计分",
    "actual-unit-synonym": "同义单位按指标值单位计分",
    "target-note-dropped": "单位后的说明未作为单位",
    "target-none": "“无”对“无”按达成计",
    "chinese-numeral": "中文数字不能按数值读取",
    "formula-uncached": "公式没有计算结果",
}


def type_name(code: str) -> str:
    """The 问题类型 of a code (the code itself for one this version does not know)."""
    return CODE_NAMES.get(code, code)
