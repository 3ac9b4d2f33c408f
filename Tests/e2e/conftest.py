"""Shared setup for the end-to-end tests: the fake cloud's client on the path, no proxy for loopback."""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "FakeCloud"))

# The official SDK and libcurl honour proxy variables; loopback traffic must never use one.
for _name in ("no_proxy", "NO_PROXY"):
    os.environ[_name] = "127.0.0.1,localhost,::1"
