"""Entry points reach the store through its one public module, `registry.store.public`.

The web app, the CLI, the mirror and the presenters name the application and the few types
and use cases that module re-exports; a store submodule imported directly is a dependency on
the store's layout, which this test refuses, naming the file, the line and the module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import registry
from registry.store import public

ROOT = Path(registry.__file__).parent
ENTRY_POINTS = sorted(
    [
        *(ROOT / "web").rglob("*.py"),
        *(ROOT / "cli").rglob("*.py"),
        *ROOT.glob("mirror*.py"),
        *ROOT.glob("presentation*.py"),
    ]
)
FACADE = "registry.store.public"


def store_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import of `registry.store` in the file, at any depth
    (inside functions and `if TYPE_CHECKING:` too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "registry.store" or node.module.startswith("registry.store."):
                found.append((node.lineno, node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "registry.store" or alias.name.startswith("registry.store."):
                    found.append((node.lineno, alias.name, []))
    return found


def test_there_are_entry_points_to_check():
    names = {path.relative_to(ROOT).as_posix() for path in ENTRY_POINTS}
    assert {"web/__init__.py", "cli/main.py", "mirror.py", "presentation.py"} <= names


@pytest.mark.parametrize("path", ENTRY_POINTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_an_entry_point_imports_the_store_only_through_its_public_module(path: Path):
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for line, module, _ in store_imports(path)
        if module != FACADE
    ]
    assert not wrong, "import these from registry.store.public instead:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", ENTRY_POINTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_name_an_entry_point_takes_from_the_store_is_public(path: Path):
    for line, _, names in store_imports(path):
        missing = [name for name in names if name not in public.__all__]
        assert not missing, f"{path.relative_to(ROOT)}:{line}: {missing} not in public.__all__"


def test_the_public_module_exports_what_it_names():
    assert sorted(public.__all__) == sorted(set(public.__all__))
    assert all(hasattr(public, name) for name in public.__all__)


def test_a_submodule_import_is_found(tmp_path: Path):
    """The check itself can fail: a direct import, even inside a function, is reported."""
    source = tmp_path / "view.py"
    source.write_text(
        "from registry.store.public import Registry\n"
        "def view():\n"
        "    from registry.store.reads.queries import agreements_as_of\n"
        "    import registry.store.events.log\n"
    )
    modules = [module for _, module, _ in store_imports(source)]
    assert modules == [FACADE, "registry.store.reads.queries", "registry.store.events.log"]
