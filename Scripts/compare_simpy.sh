#!/usr/bin/env bash
# Runs SimPy 4.1.2 (simpy_bench.py, 1,000,000 requests, one repetition) and Headroom's simulator
# benchmark at the same time, each on a core of its own, and prints both rates and their ratio.
# Headroom's benchmark repeats for as long as SimPy runs, so both meet the same machine: on a
# shared machine whose speed drifts, figures taken in turn are not comparable.
#
#   Scripts/compare_simpy.sh [SIMPY_BENCH] [ROUNDS]
#
# SIMPY_BENCH is the reference script (default ../shared/traces/simpy_bench.py; it reads the Azure
# 2023 conversation trace beside it). The rounds (default 3) swap the cores each time. Pinning
# needs taskset; without it both still run at once, unpinned. Python is used only here, to run
# the reference; Headroom never needs it.
set -euo pipefail
cd "$(dirname "$0")/.."
reference=${1:-../shared/traces/simpy_bench.py}
rounds=${2:-3}
[ -f "$reference" ] || { echo "compare_simpy: no SimPy benchmark at $reference; pass its path" >&2; exit 1; }
work=.build-simpy
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q simpy==4.1.2
fi
swift build -c release --product headroom-bench > /dev/null
pin() { if command -v taskset > /dev/null; then taskset -c "$@"; else shift; "$@"; fi; }

echo "SimPy: simpy_bench.py 1000000 store 1. Headroom: headroom-bench simulator 1000000 1, one thread, repeated meanwhile"
printf '%-7s%14s%18s%16s%14s%12s\n' round "SimPy req/s" "Headroom median" "Headroom best" "ratio median" "ratio best"
for round in $(seq "$rounds"); do
  simpy_core=$(( round % 2 )); headroom_core=$(( 1 - simpy_core ))
  pin "$simpy_core" "$work/venv/bin/python" "$reference" 1000000 store 1 > "$work/simpy.out" &
  simpy=$!
  : > "$work/headroom.out"
  while kill -0 "$simpy" 2> /dev/null; do
    pin "$headroom_core" .build/release/headroom-bench simulator 1000000 1 | tail -n 1 >> "$work/headroom.out"
  done
  wait "$simpy"
  "$work/venv/bin/python" - "$round" "$work/simpy.out" "$work/headroom.out" <<'PY'
import json, re, statistics, sys
round_, simpy_out, headroom_out = sys.argv[1:]
simpy = int(re.search(r"req/s=([\d,]+)", open(simpy_out).read()).group(1).replace(",", ""))
ours = [json.loads(line)["requestsPerSecond"] for line in open(headroom_out) if line.strip()]
median, best = statistics.median(ours), max(ours)
print(f"{round_:<7}{simpy:>14,}{int(median):>18,}{best:>16,}{median / simpy:>14.2f}{best / simpy:>12.2f}")
PY
done
