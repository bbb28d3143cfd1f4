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
