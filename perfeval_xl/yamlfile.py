"""A strict YAML/JSON reader that remembers line numbers.

PyYAML silently keeps the last of two duplicate keys and turns numbers into
binary floats. Both are wrong for us: a duplicate key in a spec or a rule
profile is a mistake the user must see, and 0.95 must stay the digits typed.
So we compose the YAML node graph ourselves and build :class:`Node` trees
that carry the source line of every value. JSON is YAML, so one reader serves
both formats.

Where PyYAML cannot be installed (the engine inside an xlwings Lite workbook,
:mod:`perfeval_xl.lite`), the shipped rule data comes already composed: the
Node trees of its files, serialised by :func:`dump_tree` and found again by the
SHA-256 of the text, so the same text always gives the same tree.

A file is data typed by a person, so what only an attack needs is refused
before it costs anything: anchors and aliases (a kilobyte of nested aliases
expands to gigabytes), nesting deeper than any spec or profile has (which would
exhaust Python's stack), more values than a spec of thousands of indicators
holds, and files larger than that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import PerfEvalError, SpecError, os_reason
from .pathtext import refuse_special

if TYPE_CHECKING:
    import yaml

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

MAX_BYTES = 20 * 1024 * 1024  # a spec of 5,000 indicators is under 1 MB
MAX_DEPTH = 32  # a spec nests 4 deep, a rule profile 7
MAX_NODES = 500_000  # a spec has about 10 values per indicator


class _Refused(Exception):
    """Something in a YAML/JSON text no spec needs (see the module notes)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@lru_cache(maxsize=1)
def _loader() -> type:
    """PyYAML's safe loader, refusing anchors and aliases, and bounding depth and size while it
    composes (before any value is built, so nothing grows). Made on first use: PyYAML may be absent."""
    import yaml

    class Loader(yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.depth = 0
            self.nodes = 0

        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, yaml.AliasEvent):
                raise _Refused(line, f"用了 YAML 别名（*{event.anchor}）：项目文件和规则文件不支持锚点与别名，请直接写出内容")
            if getattr(event, "anchor", None) is not None:
                raise _Refused(line, f"定义了 YAML 锚点（&{event.anchor}）：项目文件和规则文件不支持锚点与别名，"
                                     "请直接写出内容")
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _Refused(line, f"含有超过 {MAX_NODES:,} 个值，远多于任何项目文件，拒绝读取")
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise _Refused(line, f"嵌套超过 {MAX_DEPTH} 层，远多于任何项目文件，拒绝读取")
                node: yaml.Node | None = super().compose_node(parent, index)
                return node
            finally:
                self.depth -= 1

    return Loader


@dataclass
class Node:
    """A value read from a document, with the line (1-based) it starts on."""

    value: Any
    line: int
    kind: str  # "map", "seq", "str", "number", "bool", "null", "date"
    raw: str = ""
    keys: dict[str, int] = field(default_factory=dict)  # key -> line, for maps

    def get(self, key: str) -> Node | None:
        if self.kind != "map":
            return None
        found: Node | None = self.value.get(key)
        return found


def read(path: Path, error: type[PerfEvalError] = SpecError, problems: list[str] | None = None) -> Node:
    """Read a YAML or JSON file into a Node tree; errors name the file and line (see :func:`parse`)."""
    refuse_special(path, error, "项目文件（.yaml/.json）")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise error(f"文件 {path} 有 {path.stat().st_size / 1024 / 1024:,.0f} MB，"
                        f"超过项目文件的上限（{MAX_BYTES // 1024 // 1024} MB），不像项目文件，拒绝读取")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"找不到文件 {path}，请检查路径是否正确") from None
    except UnicodeDecodeError:
        raise error(f"文件 {path} 不是 UTF-8 编码的文本，请另存为 UTF-8 后再试") from None
    except OSError as exc:
        raise error(f"无法读取文件 {path}：{os_reason(exc)}") from None
    return parse(text, str(path), error, problems)


# PyYAML's descriptions of a syntax error, and what they mean to someone editing a spec.
_YAML_PROBLEMS = (
    ("mapping values are not allowed", "这里不能再出现“键: 值”，常见原因是值里有冒号却没加引号，或缩进不对"),
    ("could not find expected ':'", "缺少冒号“:”，或上一行的引号没有闭合"),
    ("cannot start any token", "含有不能出现在这里的字符（常见的是制表符 Tab，请改用空格缩进）"),
    ("found unknown escape character", "双引号中的反斜杠“\\”不合规则，请改用单引号"),
    ("did not find expected key", "缩进不一致，或缺少键名"),
    ("did not find expected '-' indicator", "列表项（以“- ”开头）的缩进不一致"),
    ("did not find expected node content", "“- ”或“:”后缺少内容"),
    ("expected <block end>", "缩进不一致，请让同一层的键对齐"),
    ("found unexpected end of stream", "引号或括号没有闭合"),
    ("found undefined alias", "用了未定义的别名“*”，请删去或加引号"),
    ("expected ',' or ']'", "方括号列表 [...] 没有闭合或缺少逗号"),
    ("expected ',' or '}'", "花括号 {...} 没有闭合或缺少逗号"),
    ("found duplicate anchor", "重复定义了锚点“&”"),
)


def yaml_problem(problem: str) -> str:
    """A PyYAML syntax problem in Chinese, with what to do."""
    for english, chinese in _YAML_PROBLEMS:
        if english in problem:
            return chinese
    return "格式有误，请检查缩进、冒号和引号"


def parse(text: str, source: str, error: type[PerfEvalError] = SpecError,
          problems: list[str] | None = None) -> Node:
    """Parse YAML/JSON text; ``source`` names it in messages.

    Problems of the tree (a repeated key, a number that is not finite) are raised at
    once, or, when ``problems`` is given, added to it so that the caller reports them
    with its own (a syntax error is always raised: there is no tree to go on with).
    """
    if len(text) > MAX_BYTES:
        raise error(f"文件 {source} 超过项目文件的上限（{MAX_BYTES // 1024 // 1024} MB），不像项目文件，拒绝读取")
    try:
        import yaml
    except ImportError:
        return _precomposed(text, source, error)
    loader = _loader()(text)
    try:
        root = loader.get_single_node()
    except _Refused as exc:
        where = f"第 {exc.line} 行" if exc.line else ""
        raise error(f"文件 {source} {where}{exc.message}") from None
    except RecursionError:  # a nesting the depth check did not see (the scanner's own)
        raise error(f"文件 {source} 嵌套过深，不像项目文件，拒绝读取") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise error(
            f"文件 {source} {where}不是合法的 YAML/JSON：{yaml_problem(exc.problem or exc.context or '')}"
        ) from None
    except yaml.YAMLError:
        raise error(f"文件 {source} 不是合法的 YAML/JSON，请检查缩进、冒号和引号") from None
    finally:
        loader.dispose()
    if root is None:
        raise error(f"文件 {source} 是空的")
    found: list[str] = []
    node = _build(root, found)
    if problems is not None:
        problems.extend(found)
    elif found:
        raise error(f"文件 {source} 有 {len(found)} 处错误：", found)
    return node


def _build(node: yaml.Node, problems: list[str]) -> Node:
    import yaml

    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        keys: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(f"第 {key_line} 行：字段名必须是文字")
                continue
            key = str(key_node.value)
            if key == "<<":
                problems.append(f"第 {key_line} 行：不支持 YAML 合并键 <<，请直接写出各字段")
                continue
            if key in out:
                problems.append(
                    f"第 {key_line} 行：字段“{key}”重复出现（第一次在第 {keys[key]} 行），请删去其中一个"
                )
                continue
            keys[key] = key_line
            out[key] = _build(value_node, problems)
        return Node(out, line, "map", keys=keys)
    if isinstance(node, yaml.SequenceNode):
        return Node([_build(item, problems) for item in node.value], line, "seq")
    assert isinstance(node, yaml.ScalarNode)
    raw = str(node.value)
    tag = node.tag
    if tag == _NULL:
        return Node(None, line, "null", raw)
    if tag == _BOOL:
        return Node(raw.lower() in ("true", "yes", "on", "y"), line, "bool", raw)
    if tag in (_INT, _FLOAT):
        try:
            number = Decimal(raw.replace("_", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            problems.append(f"第 {line} 行：“{raw}”不是有限的数字")
            return Node(None, line, "null", raw)
        return Node(number, line, "number", raw)
    if tag == _TIMESTAMP:
        try:
            return Node(dt.date.fromisoformat(raw[:10]), line, "date", raw)
        except ValueError:
            problems.append(f"第 {line} 行：“{raw}”不是有效日期（应为 YYYY-MM-DD）")
            return Node(None, line, "null", raw)
    return Node(raw, line, "str", raw)


def plain(node: Node) -> Any:
    """The Node tree as plain Python values (Decimal numbers, no line numbers)."""
    if node.kind == "map":
        return {k: plain(v) for k, v in node.value.items()}
    if node.kind == "seq":
        return [plain(v) for v in node.value]
    return node.value


# ---------------------------------------------------------------------------
# Composed trees as data (for a runtime without PyYAML)

PRECOMPOSED = "precomposed.json"  # in perfeval_xl.workbook_templates, only where PyYAML is absent


def text_key(text: str) -> str:
    """The key of a document's composed tree: the SHA-256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dump_tree(node: Node) -> Any:
    """A Node tree as JSON data (numbers as their digits, dates as ISO text), for :func:`load_tree`."""
    out: dict[str, Any] = {"k": node.kind, "l": node.line}
    if node.raw:
        out["r"] = node.raw
    if node.kind == "map":
        out["v"] = {key: dump_tree(child) for key, child in node.value.items()}
        out["keys"] = node.keys
    elif node.kind == "seq":
        out["v"] = [dump_tree(child) for child in node.value]
    elif node.kind == "number":
        out["v"] = str(node.value)
    elif node.kind == "date":
        out["v"] = node.value.isoformat()
    else:
        out["v"] = node.value
    return out


def load_tree(data: Any) -> Node:
    """The Node tree :func:`dump_tree` wrote."""
    kind, value = data["k"], data["v"]
    if kind == "map":
        return Node({key: load_tree(child) for key, child in value.items()}, data["l"], kind, data.get("r", ""),
                    keys=dict(data["keys"]))
    if kind == "seq":
        value = [load_tree(child) for child in value]
    elif kind == "number":
        value = Decimal(value)
    elif kind == "date":
        value = dt.date.fromisoformat(value)
    return Node(value, data["l"], kind, data.get("r", ""))


@lru_cache(maxsize=1)
def _precomposed_trees() -> dict[str, Any]:
    from .datafiles import templates_dir

    try:
        text = templates_dir().joinpath(PRECOMPOSED).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return {}
    trees: dict[str, Any] = json.loads(text)
    return trees


def _precomposed(text: str, source: str, error: type[PerfEvalError]) -> Node:
    tree = _precomposed_trees().get(text_key(text))
    if tree is None:
        raise error(f"读取 {source} 需要 PyYAML，本环境未安装：请运行 pip install PyYAML")
    return load_tree(tree)
