#!/usr/bin/env bash
# Fuzzes the parsers that read input from outside, and the exact tokenizer (Fuzz/): each libFuzzer
# harness runs for SECONDS (default 30) from its seed corpus in Fuzz/Corpus.
# A crash, a hang (10 s on one input) or 2 GB of memory stops it with the
# input saved in Fuzz/.build/crashes; what it learns stays in Fuzz/.build/corpus.
#
#   Scripts/fuzz.sh            # 30 s a harness
#   Scripts/fuzz.sh 3600 FuzzHeaders
set -euo pipefail
# Swift's own crash reporter would exit before libFuzzer saves the input that crashed.
export SWIFT_BACKTRACE=enable=no
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(FuzzRequest FuzzHeaders FuzzEvents FuzzConfiguration FuzzBatch FuzzTokenizer)

# The system's gold fails to link libFuzzer into Swift programs; the toolchain's lld does not.
mkdir -p Fuzz/.build/crashes
lld="$(dirname "$(readlink -f "$(command -v swift)")")/ld.lld"
printf '{"schemaVersion": "1.0", "linker": {"path": "%s"}}\n' "$lld" > Fuzz/.build/toolset.json
swift build --package-path Fuzz -c release --toolset Fuzz/.build/toolset.json \
    -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library 2>&1 | tail -1

for harness in "${harnesses[@]}"; do
    mkdir -p "Fuzz/.build/corpus/$harness"
    if ! Fuzz/.build/release/"$harness" "Fuzz/.build/corpus/$harness" "Fuzz/Corpus/$harness" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="Fuzz/.build/crashes/$harness-" > "Fuzz/.build/$harness.log" 2>&1; then
        tail -40 "Fuzz/.build/$harness.log"
        echo "fuzz: $harness failed; the input is in Fuzz/.build/crashes/" >&2
        exit 1
    fi
    echo "fuzz: $harness: $(grep -E '^#[0-9]+' "Fuzz/.build/$harness.log" | tail -1)"
done
