"""The benchmarks and their load generator stay out of the portal: no app imports `bench`, and
a process that starts Django (a web worker, a Celery worker) loads neither `bench` nor any
load generator."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ["infra", "governance", "cases", "grids", "disputes", "petitions", "incidents"]
# The command that fills a database for the benchmarks: the one place an app names bench, and
# only inside `handle`, so bench is imported when the command runs and not before.
COMMAND = ROOT / "governance" / "management" / "commands" / "generate_load.py"


def names_bench(name: str | None) -> bool:
    return name is not None and (name == "bench" or name.startswith("bench."))


def bench_imports(tree: ast.AST, *, module_level_only: bool = False) -> list[int]:
    """Line numbers of the imports of bench in `tree` (`import bench…`, `from bench… import`,
    `import_module("bench…")`); with `module_level_only`, those run when the module is
    imported (not inside a function)."""
    found = []
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            if any(names_bench(alias.name) for alias in node.names):
                found.append(node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and names_bench(node.module):
                found.append(node.lineno)
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else None
            called = node.func.id if isinstance(node.func, ast.Name) else called
            first = node.args[0] if node.args else None
            if (
                called in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and names_bench(first.value)
            ):
                found.append(node.lineno)
        functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        if module_level_only and isinstance(node, functions):
            continue
        pending.extend(ast.iter_child_nodes(node))
    return sorted(found)


def parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_no_app_imports_bench():
    sources = [path for app in APPS for path in sorted((ROOT / app).rglob("*.py"))]
    assert len(sources) > 100  # the apps' own files were read, not an empty folder
    offenders = {
        str(path.relative_to(ROOT)): bench_imports(parse(path))
        for path in sources
        if path != COMMAND
    }
    assert {path: lines for path, lines in offenders.items() if lines} == {}


def test_the_load_command_imports_bench_only_when_it_runs():
    tree = parse(COMMAND)
    assert bench_imports(tree), "generate_load no longer reaches bench.loadgen"
    assert bench_imports(tree, module_level_only=True) == []


def test_the_checker_sees_each_way_of_importing_bench():
    source = (
        "import bench\n"
        "import os, bench.loadgen as b\n"
        "from bench.loadgen import generate\n"
        "importlib.import_module('bench.loadgen.grids')\n"
        "def later():\n"
        "    from bench import loadgen\n"
        "import benchmarks\n"
        "from .bench import x\n"
    )
    tree = ast.parse(source)
    assert bench_imports(tree) == [1, 2, 3, 4, 6]
    assert bench_imports(tree, module_level_only=True) == [1, 2, 3, 4]


PROBE = """
import json, sys
import django
from django.conf import settings

def loaded():
    return sorted(
        name for name in sys.modules
        if name.split(".")[0] == "bench" or name.split(".")[-1] == "loadgen"
    )

django.setup()
after_setup = loaded()
# What a web process goes on to load: its WSGI application and every URL's view;
# and a Celery worker: every task module.
import importlib
import config.wsgi
from django.urls import get_resolver
importlib.import_module(settings.ROOT_URLCONF)
get_resolver().url_patterns
from config.celery import app
app.loader.import_default_modules()
print(json.dumps({
    "after_setup": after_setup,
    "after_urls_and_tasks": loaded(),
    "apps": sorted(config.name for config in django.apps.apps.get_app_configs()),
}))
"""


def test_a_fresh_process_that_starts_django_loads_no_generator():
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("REDIS_URL", None)  # nothing here talks to the broker
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(APPS) - {"infra"} <= set(seen["apps"])  # the apps were set up and ran ready()
    assert seen["after_setup"] == []
    assert seen["after_urls_and_tasks"] == []
