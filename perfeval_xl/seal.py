"""The finance bureau's seal: which forms it issued, and that they are as issued.

The fingerprint in a form's _meta sheet (a plain SHA-256 of its locked content) shows
that content was altered by someone who did not recompute it; anyone with perfeval-xl
can recompute it. The seal is an HMAC-SHA256 under a secret key only the bureau holds
(``perfeval-xl key new``): over the form's identity (project, unit, year, a random issue
id) and everything _meta records about it (the fingerprints, the layout, which cells are
inputs, the rules), so no one without the key can make a form that verifies, or change
one that does. It also records a short tag per locked cell and per _meta entry, so a
form changed after issue is reported with the cells that differ.

The key never enters a form, a log or the review: a form carries only the key's id
(a hash that does not reveal it), and :class:`SealKey` never prints its secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FileError, os_reason

KEY_HEADER = "perfeval-xl 印章密钥：请妥善保管，只存放在财政局，不要发给填报单位，也不要放进共享文件夹"
KEY_BYTES = 32
KEY_FILE_BYTES = 4096  # a key file is a few lines
TAG_HEX = 8  # a cell's tag: enough to tell which cells changed (the seal itself is the full HMAC)
SEAL_KEYS = ("issue_id", "seal_key", "seal_tags", "seal")  # the _meta entries of a sealed form
UNSEALED = ("seal", "recalc_probe")  # what the seal does not cover: itself, and a formula's result
VALUES_ONLY = "values-only"
ISSUED_MODES = ("native", "xlwings")  # a values-only copy keeps the seal of the form it copies
_HEX_KEY = re.compile(r"\b([0-9a-fA-F]{64})\b")

Entry = tuple[str, str, str]  # (cell address, kind, canonical text) of a locked constant


@dataclass(frozen=True)
class SealKey:
    """The bureau's secret. Its repr shows the id only."""

    secret: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        """A short public name for the key, written into sealed forms (it does not reveal the key)."""
        return hmac.new(self.secret, b"perfeval-xl key id", hashlib.sha256).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"SealKey(id={self.key_id})"

    def mac(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode("utf-8")
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def new_key() -> SealKey:
    return SealKey(secrets.token_bytes(KEY_BYTES))


def write_key(key: SealKey, path: Path, force: bool = False) -> None:
    """Write ``key`` to a new file readable by its owner only; an existing key is never replaced
    unless ``force`` (a replaced key can no longer verify the forms it sealed)."""
    text = f"# {KEY_HEADER}\n# 密钥编号 {key.key_id}\n{key.secret.hex()}\n"
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise FileError(f"密钥文件 {path} 已存在；替换它后，用原密钥盖章的表将无法验证。如确需替换，请加 --force") from None
    except OSError as exc:
        raise FileError(f"无法写入密钥文件 {path}：{os_reason(exc)}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def read_key(path: str | Path) -> SealKey:
    """The key in a file written by :func:`write_key` (the error never quotes the file's content)."""
    path = Path(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a folder, a device (/dev/zero never ends), a pipe (waits)
            raise FileError(f"{path} 不是文件，不是 perfeval-xl 的密钥文件；请指定 perfeval-xl key new 生成的文件")
        with path.open("rb") as fh:
            raw = fh.read(KEY_FILE_BYTES + 1)
        if len(raw) > KEY_FILE_BYTES:
            raise FileError(f"{path} 不是 perfeval-xl 的密钥文件（文件过大）；请指定 perfeval-xl key new 生成的文件")
        text = raw.decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise FileError(f"找不到密钥文件 {path}，请检查路径（密钥由 perfeval-xl key new 生成）") from None
    except OSError as exc:
        raise FileError(f"无法读取密钥文件 {path}：{os_reason(exc)}") from None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    found = _HEX_KEY.fullmatch(lines[0]) if len(lines) == 1 else None
    if found is None:
        raise FileError(f"{path} 不是 perfeval-xl 的密钥文件，或内容已被改动；请指定 perfeval-xl key new 生成的文件")
    return SealKey(bytes.fromhex(found.group(1)))


# ---------------------------------------------------------------------------
# Sealing and verifying


def _cell_tag(key: SealKey, issue: str, address: str, kind: str, text: str) -> str:
    return key.mac("cell", issue, address, kind, text)[:TAG_HEX]


def _meta_tag(key: SealKey, issue: str, name: str, value: str) -> str:
    return key.mac("meta", issue, name, value)[:TAG_HEX]


def _sealed_text(meta: Mapping[str, str]) -> str:
    return json.dumps({k: v for k, v in meta.items() if k not in UNSEALED}, ensure_ascii=False, sort_keys=True)


def seal(key: SealKey, meta: Mapping[str, str], cells: Iterable[Entry], issue_id: str | None = None) -> dict[str, str]:
    """The _meta entries that seal a form whose _meta values are ``meta`` and whose locked
    constants on the 自评表 are ``cells``."""
    issue = issue_id or secrets.token_hex(8)
    tags = [f"{address}:{_cell_tag(key, issue, address, kind, text)}" for address, kind, text in sorted(cells)]
    tags += [f"@{name}:{_meta_tag(key, issue, name, value)}" for name, value in sorted(meta.items())
             if name not in UNSEALED and name not in SEAL_KEYS]
    out = {**meta, "issue_id": issue, "seal_key": key.key_id, "seal_tags": " ".join(tags)}
    out["seal"] = key.mac("form", _sealed_text(out))
    return {name: out[name] for name in SEAL_KEYS}


@dataclass(frozen=True)
class SealCheck:
    """What verifying a form's seal found: nothing wrong (``valid``), or why not."""

    valid: bool
    reason: str = ""  # "missing", "other-key", "altered"
    changed: tuple[str, ...] = ()  # the cells and _meta entries that differ from the sealed ones


def verify(key: SealKey, meta: Mapping[str, str], cells: Iterable[Entry]) -> SealCheck:
    """Check a form's seal against its _meta values and its locked constants (as read)."""
    if not meta.get("seal"):
        return SealCheck(False, "missing")
    if meta.get("seal_key") != key.key_id:
        return SealCheck(False, "other-key")
    issue = meta.get("issue_id", "")
    modes = ISSUED_MODES if meta.get("mode") == VALUES_ONLY else (meta.get("mode", ""),)
    sealed = any(_same(key.mac("form", _sealed_text({**meta, "mode": mode})), meta["seal"])
                 for mode in modes)
    tags = dict(item.split(":", 1) for item in meta.get("seal_tags", "").split() if ":" in item)
    changed = []
    current = {address: (kind, text) for address, kind, text in cells}
    for address in sorted(set(current) | {a for a in tags if not a.startswith("@")}, key=_cell_order):
        expected = tags.get(address)
        if address not in current:
            changed.append(address)  # emptied
        elif expected is None or not _same(_cell_tag(key, issue, address, *current[address]), expected):
            changed.append(address)
    for name, value in sorted(meta.items()):
        if name in UNSEALED or name in SEAL_KEYS or name == "mode":
            continue
        expected = tags.get(f"@{name}")
        if expected is None or not _same(_meta_tag(key, issue, name, value), expected):
            changed.append(f"@{name}")
    changed += [item for item in tags if item.startswith("@") and item[1:] not in meta and item != "@mode"]
    if sealed and not changed:
        return SealCheck(True)
    return SealCheck(False, "altered", tuple(changed))


def _same(computed: str, stored: str) -> bool:
    """A constant-time comparison that any text in the form can go through (compare_digest refuses
    str with characters beyond ASCII, which a forged _meta may hold)."""
    return hmac.compare_digest(computed.encode("utf-8"), str(stored).encode("utf-8"))


def _cell_order(address: str) -> tuple[int, int, str]:
    found = re.fullmatch(r"([A-Z]+)(\d+)", address)
    if not found:
        return (0, 0, address)
    letters, row = found.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return (int(row), col, address)


META_LABELS = {
    "project": "项目名称", "year": "年度", "profile": "计分规则", "layout": "指标行的布局",
    "inputs": "可填写单元格的范围", "formula_cells": "公式单元格的范围", "template_version": "模板版本",
    "content_fingerprint": "锁定内容的指纹", "fingerprint": "锁定内容和公式的指纹", "spec_hash": "项目文件的摘要",
    "generated_at": "生成时间", "generator": "生成程序",
}


def explain(check: SealCheck, key: SealKey, meta: Mapping[str, str], describe: Callable[[str], str]) -> str:
    """The Chinese message of a seal that does not hold (``describe`` names a cell: "第 14 行“…”的分值")."""
    advice = "；请使用财政局下发的原表重新填写，或联系财政局核实"
    if check.reason == "missing":
        return "该表没有财政局的印章：不是用本局密钥下发的表，或印章已被删去，无法证明由财政局下发" + advice
    if check.reason == "other-key":
        return (f"该表的印章来自另一把密钥（编号 {meta.get('seal_key') or '未知'}），"
                f"不是用本局密钥（编号 {key.key_id}）下发的表" + advice)
    cells = [describe(item) for item in check.changed if not item.startswith("@")]
    entries = [META_LABELS.get(item[1:], item[1:]) for item in check.changed if item.startswith("@")]
    parts = []
    if cells:
        shown = "、".join(cells[:8]) + (f" 等 {len(cells)} 处" if len(cells) > 8 else "")
        parts.append(f"锁定内容与盖章时不同：{shown}")
    if entries:
        recomputed = "（指纹被重新计算过）" if any("指纹" in e for e in entries) else ""
        parts.append(f"隐藏的下发记录被改动：{'、'.join(entries)}{recomputed}")
    if not parts:
        parts.append("隐藏的下发记录与印章不符")
    return "该表在下发后被改动，印章无效。" + "；".join(parts) + advice


__all__ = ["KEY_HEADER", "SEAL_KEYS", "SealCheck", "SealKey", "explain", "new_key", "read_key", "seal", "verify",
           "write_key"]
