"""Entry points reach the store through its one public module, `registry.store.public`.

The web app, the CLI, the mirror and the presenters name the application and the types and
errors that module re-exports; a store submodule imported directly is a dependency on the
store's layout, which this test refuses, naming the file, the line and the module. A use case
is one call on the application (registry/store/use_cases.py): the public module exports no
use-case function but for the few the mirror still calls itself, and nothing nobody names.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import registry
from registry.store import public
from registry.store.application import Registry
from registry.store.use_cases import UseCases

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
# registry/errors.py gathers the store's errors for every interface: through the facade too.
THROUGH_FACADE = sorted([*ENTRY_POINTS, ROOT / "errors.py"])
MIRRORS = {path for path in ENTRY_POINTS if path.name.startswith("mirror")}
# The functions the mirror still calls on a session or the registry itself (registry/mirror.py,
# mirror_tiles.py) until it asks the application: their number only goes down.
MIRROR_FUNCTIONS_AT_MOST = 1


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


def functions_of(namespace: Mapping[str, Any]) -> set[str]:
    """The names of the plain functions in a module's namespace (a use case exported as a
    function, instead of a method of the application)."""
    return {name for name, value in namespace.items() if inspect.isfunction(value)}


def named_by(paths: list[Path]) -> dict[str, set[Path]]:
    """Each name taken from the store, and the files that take it."""
    names: dict[str, set[Path]] = {}
    for path in paths:
        for _, _, imported in store_imports(path):
            for name in imported:
                names.setdefault(name, set()).add(path)
    return names


def test_there_are_entry_points_to_check():
    names = {path.relative_to(ROOT).as_posix() for path in ENTRY_POINTS}
    assert {"web/__init__.py", "cli/main.py", "mirror.py", "presentation.py"} <= names


@pytest.mark.parametrize("path", THROUGH_FACADE, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_an_entry_point_imports_the_store_only_through_its_public_module(path: Path):
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for line, module, _ in store_imports(path)
        if module != FACADE
    ]
    assert not wrong, "import these from registry.store.public instead:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", THROUGH_FACADE, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_name_an_entry_point_takes_from_the_store_is_public(path: Path):
    for line, _, names in store_imports(path):
        missing = [name for name in names if name not in public.__all__]
        assert not missing, f"{path.relative_to(ROOT)}:{line}: {missing} not in public.__all__"


def test_the_public_module_exports_what_it_names():
    assert sorted(public.__all__) == sorted(set(public.__all__))
    assert all(hasattr(public, name) for name in public.__all__)


def test_the_public_module_exports_no_use_case_function():
    """A use case is a method of the application, not a function beside it; the only
    functions left are the mirror's, and no other entry point takes them."""
    functions = functions_of(vars(public))
    takers = named_by(ENTRY_POINTS)
    for name in sorted(functions):
        others = sorted(p.relative_to(ROOT).as_posix() for p in takers.get(name, set()) - MIRRORS)
        assert not others, f"{others} take {name}: make it a method of UseCases instead"
    assert len(functions) <= MIRROR_FUNCTIONS_AT_MOST, (
        f"registry.store.public exports {sorted(functions)}: a use case is a method of "
        "UseCases (registry/store/use_cases.py), not a function of the facade"
    )


def test_every_name_the_public_module_exports_is_named_by_an_entry_point():
    unused = set(public.__all__) - set(named_by(THROUGH_FACADE))
    assert not unused, f"no entry point names {sorted(unused)}: drop them from public.__all__"


def test_the_application_has_every_use_case():
    """Registry inherits the use cases, and none of them is hidden by one of its attributes."""
    assert issubclass(Registry, UseCases)
    hidden = [
        name
        for name, value in vars(UseCases).items()
        if not name.startswith("__") and inspect.getattr_static(Registry, name) is not value
    ]
    assert not hidden, f"Registry (or eventsourcing's Application) hides {hidden}"


def test_a_use_case_function_in_the_public_module_is_found():
    """The check itself can fail: a function exported beside the classes is reported."""

    def add_witness(registry: Registry, name: str) -> None: ...

    facade = SimpleNamespace(Registry=Registry, CHUNK=2000, add_witness=add_witness)
    assert functions_of(vars(facade)) == {"add_witness"}


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
