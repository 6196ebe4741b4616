"""Paths and small helpers shared by several test packages."""

from __future__ import annotations

from madoguchi.settings import REPO_ROOT

EXAMPLE_DIRECTORY = REPO_ROOT / "data" / "directory" / "example.yaml"
