"""Every export of the native module is wrapped in ``paddock._native`` and typed in the stubs."""

import ast
from pathlib import Path

from paddock import _core, _native

STUBS = Path(_native.__file__).with_name("_core.pyi")


def _public(names: object) -> set[str]:
    return {n for n in names if not n.startswith("_")}  # type: ignore[attr-defined]


def test_every_native_export_is_wrapped() -> None:
    assert _public(dir(_core)) <= set(_native.__all__) | {"__version__"}


def test_every_native_export_has_a_stub() -> None:
    tree = ast.parse(STUBS.read_text())
    stubbed = {
        node.name if not isinstance(node, ast.AnnAssign) else node.target.id  # type: ignore[union-attr]
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AnnAssign)
    }
    assert _public(dir(_core)) <= stubbed
