"""Fixtures of the routing tests: the packaged capability table and the test directory."""

from __future__ import annotations

import pytest
from routing_world import world

from nlp.taxonomy import Taxonomy, load_taxonomy
from routing import CapabilityTable, DirectorySnapshot, Router, load_capabilities


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="session")
def capabilities(taxonomy: Taxonomy) -> CapabilityTable:
    return load_capabilities(taxonomy=taxonomy)


@pytest.fixture(scope="session")
def directory() -> DirectorySnapshot:
    return world()


@pytest.fixture(scope="session")
def router(directory: DirectorySnapshot, capabilities: CapabilityTable) -> Router:
    return Router(directory, capabilities)
