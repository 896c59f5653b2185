"""No runtime code imports the demo package.

Demo data generation (known passwords, fixed authenticator keys, fictional
people) lives in demo/ so that production code never carries it. This walks
every module of the other project packages, tests and migrations aside, and
fails on any import of `demo` (absolute, or by name through import_module).
"""

import ast
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# The project's own packages besides demo: the installed apps that live in
# this tree, and the project shell.
RUNTIME_PACKAGES = sorted(
    {name.split(".")[0] for name in settings.INSTALLED_APPS if (BASE_DIR / name.split(".")[0]).is_dir()}
    - {"demo"}
    | {"config"}
)


def _runtime_modules():
    for package in RUNTIME_PACKAGES:
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            parts = path.relative_to(BASE_DIR).parts
            if "tests" in parts or "migrations" in parts:
                continue
            if path.name.startswith("test_") or path.name == "conftest.py":
                continue
            yield path


def _is_demo(module_name):
    return module_name == "demo" or module_name.startswith("demo.")


def demo_imports(source):
    """(line, what) of every import of the demo package in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if _is_demo(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and _is_demo(node.module):
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and _is_demo(node.args[0].value)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def test_the_walk_covers_the_runtime_apps():
    assert {"core", "audit", "accounts", "referrals", "tenancies", "bolots", "reports", "config"} <= set(
        RUNTIME_PACKAGES
    )
    walked = {path.relative_to(BASE_DIR).as_posix() for path in _runtime_modules()}
    assert "referrals/services/clients.py" in walked
    assert not any("/tests/" in path or "/migrations/" in path for path in walked)


def test_the_check_sees_every_way_of_importing_demo():
    source = (
        "import demo\nimport demo.users as users\nfrom demo.bulk import insert_many\nfrom demo import seeding\n"
        "import_module('demo.clients')\nimportlib.import_module('demo')\n"
        "import demographics\nfrom .demo import x\nimport_module('referrals.models')\n"
    )
    assert [line for line, _what in demo_imports(source)] == [1, 2, 3, 4, 5, 6]


def test_no_runtime_module_imports_demo():
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{line} imports {what}"
        for path in _runtime_modules()
        for line, what in demo_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
