"""Which app may name which: the checker behind test_layers.py.

The apps are layered, lowest first (docs/architecture.md):

    core ← audit ← accounts ← referrals ← tenancies ← bolots ← rent ← reports ← logreview ← culling

with the project shell `config` (and the shared templates beside base.html)
above every app, and the demo data generator `demo` above that: production
code never imports it. A module may name its own layer and anything below;
a name of a higher layer is a violation. "Naming" is what would break, or
silently stop working, if the higher app were removed:

- a Python import, at module level or inside a function;
- a string that is a higher app's url name ("bolots:my_day"), permission
  ("bolots.view_visit") or model ("bolots.Visit"), wherever it appears
  (reverse(), has_perm(), a ForeignKey, a role's permission list);
- apps.get_model() with a higher app's label;
- in a template: {% url 'bolots:…' %}, perms.bolots, or {% include %} /
  {% extends %} of a higher app's template folder.

Tests are not scanned: they exercise the assembled project. A migration's
`dependencies` are not a name in this sense: they only order history that
cannot be rewritten (accounts' role migration waits for referrals' tables).
Each violation carries its file and line so that a failure says where to look.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

# Lowest first. Ranks, not a graph: a layer may use every layer below it.
LAYERS: tuple[str, ...] = (
    "core", "audit", "accounts", "referrals", "tenancies", "bolots", "rent", "reports", "logreview", "culling", "config", "demo",
)
RANK: dict[str, int] = {package: rank for rank, package in enumerate(LAYERS)}
# Templates outside an app's folder (base.html, includes/, error pages)
# belong to the project shell.
SHELL = "config"

URL_TAG = re.compile(r"""{%\s*url\s+["']([\w-]+):""")
PERMS = re.compile(r"\bperms\.(\w+)")
TEMPLATE_REFERENCE = re.compile(r"""{%\s*(?:include|extends)\s+["']([\w-]+)/""")


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Names:
    """What each package is known by besides its module name: app labels,
    url namespaces, permission strings and model strings."""

    labels: dict[str, str]  # app label → package
    namespaces: dict[str, str]  # url namespace → package
    strings: dict[str, str]  # "label.codename" / "label.model" (lower-case) → package

    @classmethod
    def from_project(cls) -> Names:
        from django.apps import apps
        from django.urls import URLResolver, get_resolver

        labels, strings = {}, {}
        for config in apps.get_app_configs():
            package = config.name.split(".")[0]
            if package not in RANK:
                continue
            labels[config.label] = package
            for model in config.get_models():
                meta = model._meta
                strings[f"{config.label}.{meta.model_name}"] = package
                for action in meta.default_permissions:
                    strings[f"{config.label}.{action}_{meta.model_name}"] = package
                for codename, _name in meta.permissions:
                    strings[f"{config.label}.{codename}"] = package
        namespaces = {}
        for pattern in get_resolver().url_patterns:
            if isinstance(pattern, URLResolver) and pattern.namespace:
                module = getattr(pattern.urlconf_module, "__name__", "")
                package = module.split(".")[0]
                if package in RANK:
                    namespaces[pattern.namespace] = package
        return cls(labels=labels, namespaces=namespaces, strings=strings)

    def owner_of_string(self, value: str) -> str | None:
        """The package a string names, if it is a url name, permission or
        model string of one of ours."""
        if ":" in value:
            namespace, _, rest = value.partition(":")
            if rest and re.fullmatch(r"[\w-]+(:[\w-]+)*", rest):
                return self.namespaces.get(namespace)
            return None
        if re.fullmatch(r"\w+\.\w+", value):
            return self.strings.get(value.lower()) if value.split(".")[0] in self.labels else None
        return None


def is_higher(package: str, named: str | None) -> bool:
    if named is None or named == package or named not in RANK:
        return False
    return RANK[named] > RANK[package]


def python_violations(source: str, path: str, package: str, names: Names) -> list[Violation]:
    """Names of higher layers in one Python module of `package`."""
    found = []

    def report(node: ast.AST, named: str, what: str) -> None:
        if is_higher(package, named):
            found.append(Violation(path, node.lineno, f"{package} names {named}: {what}"))

    tree = ast.parse(source, filename=path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                report(node, alias.name.split(".")[0], f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            report(node, node.module.split(".")[0], f"from {node.module} import …")
        elif isinstance(node, ast.Call) and _is_get_model(node) and node.args:
            first = node.args[0]
            # get_model("bolots.Visit") is caught below as a model string.
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and "." not in first.value:
                report(node, names.labels.get(first.value), f"apps.get_model({first.value!r}, …)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            report(node, names.owner_of_string(node.value), f"the string {node.value!r}")
    return found


def _is_get_model(node: ast.Call) -> bool:
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == "get_model") or (
        isinstance(func, ast.Name) and func.id == "get_model"
    )


def template_violations(text: str, path: str, package: str, names: Names) -> list[Violation]:
    """Names of higher layers in one template of `package`."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in URL_TAG.finditer(line):
            named = names.namespaces.get(match.group(1))
            if is_higher(package, named):
                found.append(Violation(path, number, f"{package} names {named}: url {match.group(1)}:…"))
        for match in PERMS.finditer(line):
            named = names.labels.get(match.group(1))
            if is_higher(package, named):
                found.append(Violation(path, number, f"{package} names {named}: perms.{match.group(1)}"))
        for match in TEMPLATE_REFERENCE.finditer(line):
            named = match.group(1) if match.group(1) in RANK else None
            if is_higher(package, named):
                found.append(Violation(path, number, f"{package} names {named}: template {match.group(1)}/…"))
    return found


def project_violations(root: Path, names: Names) -> list[Violation]:
    """Every violation in the project under `root`."""
    found = []
    for package in LAYERS:
        folder = root / package
        if not folder.is_dir():
            continue  # demo/ may not exist yet
        for file in sorted(folder.rglob("*.py")):
            relative = file.relative_to(root)
            if "tests" in relative.parts:
                continue
            found += python_violations(file.read_text(encoding="utf-8"), str(relative), package, names)
        for file in sorted((folder / "templates").rglob("*.html")) if (folder / "templates").is_dir() else []:
            found += template_violations(file.read_text(encoding="utf-8"), str(file.relative_to(root)), package, names)
    shared = root / "templates"
    for file in sorted(shared.rglob("*.html")):
        relative = file.relative_to(shared)
        package = relative.parts[0] if len(relative.parts) > 1 and relative.parts[0] in RANK else SHELL
        found += template_violations(file.read_text(encoding="utf-8"), str(file.relative_to(root)), package, names)
    return found
