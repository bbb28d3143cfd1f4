"""Where the rule data shipped with perfeval-xl lives.

The data sits in the repository's top-level ``workbook_templates/`` folder so
that a finance bureau can read and review it next to the code; the install
maps it to the package ``perfeval_xl.workbook_templates``.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def templates_dir() -> Traversable:
    """The installed ``workbook_templates`` folder."""
    return resources.files("perfeval_xl.workbook_templates")


def profiles_dir() -> Traversable:
    """The folder of rule profiles (one YAML file per profile)."""
    return templates_dir().joinpath("profiles")


def examples_dir() -> Traversable:
    """The built-in example project specs drawn from the seed reports."""
    return resources.files("perfeval_xl.examples")


def macros_dir() -> Traversable:
    """The VBA sources of the xlwings-mode form (the repository's ``macros/``)."""
    return resources.files("perfeval_xl.macros")


def rules_digest() -> str:
    """A SHA-256 over every rule data file shipped (profiles, notation, labels): a stored result
    computed under other rule data is not reused (a corrected profile rescores every form)."""
    import hashlib

    digest = hashlib.sha256()
    stack = [templates_dir()]
    files = []
    while stack:
        folder = stack.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                stack.append(entry)
            elif entry.name.endswith((".yaml", ".yml")):
                files.append(entry)
    for entry in sorted(files, key=lambda e: str(e)):
        digest.update(entry.name.encode("utf-8") + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()
