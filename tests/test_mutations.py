"""Every entry of benchmarks/mutations.py still applies to the code (the list does not rot).

Running the mutations themselves takes minutes: `python benchmarks/mutations.py`.
"""
from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import ROOT

spec = importlib.util.spec_from_file_location("mutations", ROOT / "benchmarks" / "mutations.py")
mutations = importlib.util.module_from_spec(spec)
sys.modules["mutations"] = mutations  # dataclasses look their module up there
spec.loader.exec_module(mutations)


@pytest.mark.parametrize("m", mutations.MUTATIONS, ids=[m.name for m in mutations.MUTATIONS])
def test_mutation_applies_once_and_changes_the_code(m):
    assert mutations.check(m) is None
    assert m.old != m.new
    assert all((ROOT / t).exists() for t in m.tests)


def test_names_are_unique():
    names = [m.name for m in mutations.MUTATIONS]
    assert len(names) == len(set(names))
