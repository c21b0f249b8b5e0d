"""Editing one top-level key of a study file's text, leaving every other byte as it was.

The app's theme editor writes ``themes:`` back into the study file. A YAML dump of the whole file
would lose its comments, quoting and key order, so only the block of that key is replaced:
PyYAML's composer gives the character positions of the key and of its value, the replacement
runs from the key to the end of the line where the value's last scalar ends (comments after the
block therefore stay), and a key the file does not have yet is appended at the end. Everything
before and after the block is unchanged, byte for byte.
"""
from __future__ import annotations

import json
from typing import Mapping, Sequence

import yaml

from .errors import StudyError
from .i18n import msg

__all__ = ["yaml_scalar", "themes_block", "replace_block", "with_themes"]


def yaml_scalar(text: str, key: bool = False) -> str:
    """``text`` as a YAML scalar: plain where YAML reads it back as the same string (as a key or
    as an item of a flow list), else double-quoted (JSON's escaping is valid YAML)."""
    plain = str(text)
    try:
        probe = yaml.safe_load(f"{plain}: 1" if key else f"[{plain}]")
        same = probe == ({plain: 1} if key else [plain])
    except yaml.YAMLError:
        same = False
    return plain if same and plain.strip() == plain and plain else json.dumps(plain,
                                                                             ensure_ascii=False)


def themes_block(themes: Mapping[str, Sequence[str]]) -> str:
    """The ``themes:`` block of a study file: one line per theme, ``  name: [term, term]``; empty
    when there are no themes."""
    if not themes:
        return ""
    lines = ["themes:"] + [f"  {yaml_scalar(name, key=True)}: ["
                           + ", ".join(yaml_scalar(t) for t in terms) + "]"
                           for name, terms in themes.items()]
    return "\n".join(lines) + "\n"


def _last_end(node: yaml.Node) -> int:
    """The character index where the last scalar (or flow collection) under ``node`` ends."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return node.end_mark.index
    children = (node.value if isinstance(node, yaml.SequenceNode)
                else [part for pair in node.value for part in pair])
    return max([_last_end(child) for child in children], default=node.start_mark.index)


def replace_block(text: str, key: str, block: str) -> str:
    """``text`` with the top-level ``key`` and its value replaced by ``block`` (YAML text ending
    in a newline, or "" to remove the key); appended at the end when the key is absent.

    Raises StudyError when the text is not a YAML mapping written in block style.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise StudyError(msg("study_edit_not_yaml", reason=str(exc).splitlines()[0])) from None
    if root is None:
        return block
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise StudyError(msg("study_edit_not_block"))
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            start = key_node.start_mark.index
            line_start = text.rfind("\n", 0, start) + 1
            if text[line_start:start].strip():
                raise StudyError(msg("study_edit_not_block"))
            end = text.find("\n", _last_end(value_node))
            end = len(text) if end < 0 else end + 1
            return text[:line_start] + block + text[end:]
    if not block:
        return text
    return text + ("" if text.endswith("\n") or not text else "\n") + block


def with_themes(text: str, themes: Mapping[str, Sequence[str]]) -> str:
    """The study file ``text`` with its ``themes:`` block replaced by ``themes`` (removed when
    empty), everything else byte for byte as it was."""
    return replace_block(text, "themes", themes_block(themes))
