"""Shared pytest fixtures for the end-to-end tests (run as root, inside scripts/with-journald)."""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def source_root() -> Path:
    """The repository checkout: $ROOTWATCH_SOURCE_ROOT (set by the Makefile), else found from here."""
    return Path(os.environ.get("ROOTWATCH_SOURCE_ROOT") or Path(__file__).resolve().parents[2])


@pytest.fixture(scope="session")
def rootwatchd_binary(source_root: Path) -> Path:
    """The release binary (`make release`; override with $ROOTWATCH_BINARY); skips when not built."""
    binary = Path(os.environ.get("ROOTWATCH_BINARY") or source_root / ".build" / "release" / "rootwatchd")
    if not os.access(binary, os.X_OK):
        pytest.skip(f"{binary} is not built (make release)")
    return binary
