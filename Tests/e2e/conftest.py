"""Shared pytest fixtures for the end-to-end tests (run as root, inside scripts/with-journald)."""

import os
import sys
from pathlib import Path

import pytest

REPO = Path(os.environ.get("ROOTWATCH_SOURCE_ROOT") or Path(__file__).resolve().parents[2])
sys.path.insert(0, str(REPO / "Tests" / "FakeCloud"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# The official SDK and libcurl honour proxy variables; loopback traffic must never use one.
for _name in ("no_proxy", "NO_PROXY"):
    os.environ[_name] = "127.0.0.1,localhost,::1"


@pytest.fixture(scope="session")
def source_root() -> Path:
    """The repository checkout: $ROOTWATCH_SOURCE_ROOT (set by the Makefile), else found from here."""
    return REPO


@pytest.fixture(scope="session")
def rootwatchd_binary(source_root: Path) -> Path:
    """The release binary (`make release` builds it; override with $ROOTWATCH_BINARY)."""
    binary = Path(os.environ.get("ROOTWATCH_BINARY") or source_root / ".build" / "release" / "rootwatchd")
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} is not built: run the end-to-end tests through `make test-e2e`")
    return binary
