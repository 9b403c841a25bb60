"""The house plan holds: no import cycle in any package, streams never import the tap, the sink
never imports the target, and no module grows past a readable size (docs/architecture.md).

Imports are read from the source (every `import` and `from ... import`, those under
`TYPE_CHECKING` and inside functions included), so a cycle that only type checking sees fails
here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "pardot_client": ROOT / "pardot-client/src/pardot_client",
    "pardot_sim": ROOT / "pardot-sim/src/pardot_sim",
    "tap_pardot_export": ROOT / "tap-pardot-export/src/tap_pardot_export",
    "target_pardot_import": ROOT / "target-pardot-import/src/target_pardot_import",
}
MAX_LINES = 400


def modules(package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of a package (`__init__` as the package)."""
    root = PACKAGES[package]
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(path: Path, module: str, known: set[str]) -> set[str]:
    """The package's modules that `path` imports, wherever the import statement stands."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from a import b`: module a.b if there is one, else the name b comes from a
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            found = name
            while found and found not in known:  # `a.b.c` of no module: the package a.b
                found = found.rpartition(".")[0]
            if found and found != module:
                targets.add(found)
    return targets


def graph(package: str) -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports."""
    found = modules(package)
    known = set(found)
    return {name: imported(path, name, known) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_the_cycle_finder_finds_a_cycle_through_a_type_only_import(tmp_path: Path) -> None:
    """The check itself can fail: a TYPE_CHECKING import closing a circle is found."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import B\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\nB = 1\n"
    )
    (package / "c.py").write_text("from . import a\n")
    PACKAGES["pkg"] = package
    try:
        assert cycles(graph("pkg")) == [["pkg.a", "pkg.b"]]
        assert graph("pkg")["pkg.c"] == {"pkg.a"}
    finally:
        del PACKAGES["pkg"]


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_package_imports_itself_in_a_circle(package: str) -> None:
    assert cycles(graph(package)) == []


def test_no_stream_module_imports_the_tap_module() -> None:
    edges = graph("tap_pardot_export")
    importers = sorted(m for m, targets in edges.items() if "tap_pardot_export.tap" in targets)
    assert importers == []


def test_only_the_entry_point_imports_the_target_module() -> None:
    """The sink, the run and the import job take what they need from the run object."""
    edges = graph("target_pardot_import")
    importers = {m for m, targets in edges.items() if "target_pardot_import.target" in targets}
    assert importers == {"target_pardot_import.__main__"}


def test_the_tap_and_the_target_never_import_each_other_nor_the_simulator() -> None:
    for package, others in {
        "tap_pardot_export": ("target_pardot_import", "pardot_sim"),
        "target_pardot_import": ("tap_pardot_export", "pardot_sim"),
        "pardot_client": ("tap_pardot_export", "target_pardot_import", "pardot_sim"),
    }.items():
        for name, path in modules(package).items():
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                assert not [n for n in names if n.split(".")[0] in others], name


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_modules_stay_a_readable_size(package: str) -> None:
    long = {
        name: lines
        for name, path in modules(package).items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"modules over {MAX_LINES} lines: split them by concept"
