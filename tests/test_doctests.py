"""Every docstring example in the library runs (as in pyoxigraph)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kg

MODULES = sorted(m.name for m in pkgutil.walk_packages(kg.__path__, "kg."))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_some_modules_have_examples() -> None:
    with_examples = [name for name in MODULES
                     if doctest.DocTestFinder().find(importlib.import_module(name))
                     and any(t.examples for t in
                             doctest.DocTestFinder().find(importlib.import_module(name)))]
    assert {"kg.iris", "kg.convert.values", "kg.settings"} <= set(with_examples)
