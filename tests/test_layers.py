"""The package's dependencies point one way: every import goes down the layer order.

Every module of ``stochad`` is parsed (ast); an import of another stochad module must go
to a lower layer or stay inside the importer's own package, imports of stochad modules
inside functions are refused (they hide a dependency), and the module graph has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "stochad"

LAYERS = [
    ("stochad.errors", "stochad._docstrings"),
    ("stochad.core",),
    ("stochad.rules", "stochad.distributions"),
    ("stochad.kernels",),
    ("stochad.backends",),
    ("stochad.forward",),
    ("stochad.arrays", "stochad.reverse"),
    ("stochad.montecarlo",),  # the sample grid and chunked driver: numpy and core only
    ("stochad.estimators", "stochad.propagate", "stochad.samplers"),
    ("stochad.api",),
    ("stochad.distributed",),
    ("stochad",),  # the package's __init__: the public names
    ("stochad.snn",),  # built on the public API; `import stochad.snn`
]
"""Bottom to top; a module's layer is that of the longest prefix that names it."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> tuple[int, str]:
    best = None
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > len(best[1]):
                    best = (level, prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def stochad_imports(tree: ast.Module, module: str):
    """``(imported module, line, at module level)`` for each import of a stochad module."""
    local = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            local.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            # `from stochad.x import y` may import the submodule y
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if name == "stochad" or name.startswith("stochad."):
                yield name, node.lineno, id(node) not in local


def graph():
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges = {}
    problems = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        targets = set()
        for name, line, top_level in stochad_imports(tree, module):
            if name not in modules or name == module:
                continue  # `from stochad.x import function`: the module is stochad.x
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            if not top_level:
                problems.append(f"{where}: imports {name} inside a function")
            importer, imported = layer_of(module), layer_of(name)
            same_package = importer[1] == imported[1] and importer[1] != "stochad"
            if imported[0] > importer[0] or (imported[0] == importer[0] and not same_package):
                problems.append(f"{where}: {module} (layer {importer[1]}) imports {name} "
                                f"(layer {imported[1]})")  # fmt: skip
            if name != module:
                targets.add(name)
        edges[module] = targets
    return edges, problems


def test_imports_follow_the_layer_order():
    _, problems = graph()
    assert not problems, "\n".join(problems)


def test_the_module_graph_has_no_cycle():
    edges, _ = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module):
        state[module] = 1
        stack.append(module)
        for target in sorted(edges.get(module, ())):
            # a package's __init__ importing its own submodules is how packages work
            if module != "stochad" and target.startswith(module + "."):
                continue
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
