#!/usr/bin/env bash
# Request rate and connection reuse of CurlTransport against the loopback test server.
# Usage: Benchmarks/curl-transport.sh   (from the repository root or anywhere inside it)
# Builds the release tests in .build-bench, apart from `make release`'s .build: minutes the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --scratch-path .build-bench --build-tests --configuration release >/dev/null
ROOTWATCH_BENCHMARK=1 swift test --scratch-path .build-bench --configuration release --skip-build \
    --filter CurlTransportBenchmarkTests 2>&1 | grep -E '^curl-transport:|✘|passed|failed'
