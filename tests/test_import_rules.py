"""Which package may import which: the shape of the code (docs/architecture.md), held by a
test so that it cannot drift. Dependencies point one way: the case types → the case kit →
governance → infra; the configuration may import anything; the benchmarks may import the
portal, never the reverse.

Every import statement is read from the source, inside functions too, so a lazy import made to
dodge a cycle is still seen."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# package: the project packages it may import (besides itself).
MAY_IMPORT = {
    "infra": set(),
    "governance": {"infra"},
    "cases": {"governance", "infra"},
    "grids": {"cases", "governance", "infra"},
    "disputes": {"grids", "cases", "governance", "infra"},
    "petitions": {"disputes", "grids", "cases", "governance", "infra"},
    # Incidents know disputes (a wrongly typed case converted either way: incidents.conversion);
    # disputes do not know incidents.
    "incidents": {"disputes", "grids", "cases", "governance", "infra"},
    # The front desk routes a matter to any case type; nothing below it knows the desk.
    "desk": {"incidents", "petitions", "disputes", "grids", "cases", "governance", "infra"},
    # The intake API receives work orders as the desk's matters; nothing below it knows it.
    "open311": {
        "desk",
        "incidents",
        "petitions",
        "disputes",
        "grids",
        "cases",
        "governance",
        "infra",
    },
    "config": {
        "open311",
        "desk",
        "incidents",
        "petitions",
        "disputes",
        "grids",
        "cases",
        "governance",
        "infra",
    },
    "bench": {
        "config",
        "open311",
        "desk",
        "incidents",
        "petitions",
        "disputes",
        "grids",
        "cases",
        "governance",
        "infra",
    },
}
# The exceptions, each with its reason.
EXCEPTIONS = {
    # The command that fills a database for the benchmarks reaches bench's generators, only
    # when it runs (tests/operations/test_bench_stays_out.py holds that), and writes grids.
    ("governance/management/commands/generate_load.py", "bench"),
    ("governance/management/commands/generate_load.py", "grids"),
}


def imported_packages(path: Path) -> set[str]:
    """The project's top-level packages that `path` imports, wherever the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return {module.split(".")[0] for module in modules} & set(MAY_IMPORT)


def sources(package: str) -> list[Path]:
    return [
        path for path in sorted((ROOT / package).rglob("*.py")) if "migrations" not in path.parts
    ]


def test_every_package_imports_only_what_it_may():
    wrong = {}
    for package, allowed in MAY_IMPORT.items():
        for path in sources(package):
            relative = path.relative_to(ROOT).as_posix()
            for imported in sorted(imported_packages(path) - allowed - {package}):
                if (relative, imported) not in EXCEPTIONS:
                    wrong.setdefault(relative, []).append(imported)
    assert wrong == {}


def test_every_package_of_the_project_has_its_rule():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages == set(MAY_IMPORT), "a new top-level package needs its line in MAY_IMPORT"
    assert all(sources(package) for package in MAY_IMPORT)


def test_the_rule_sees_an_import_inside_a_function(tmp_path):
    source = tmp_path / "module.py"
    source.write_text("def later():\n    from disputes.models import Dispute\n")
    assert imported_packages(source) == {"disputes"}
