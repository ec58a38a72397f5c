#!/usr/bin/env bash
# The tests, as the README gives them and CI runs them: the library's, the
# servers' (end to end on loopback), then each fuzzing harness for 20 s.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test
swift test --package-path Gateway
Scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
