#!/usr/bin/env bash
# Load test, on loopback only: starts headroom-mock (Examples/load.json:
# two deployments of 1,200 requests a minute, 40 a second in all, and one
# "direct" deployment to compare with) and headroom-gateway in front of the
# two, then sends REQUESTS requests at RATE a second (default 2,000 at 80/s,
# twice the capacity) and reports what headroom-load measured, then the CPU
# time headroom-gateway used. Bounded: the requests are counted, and the whole
# run is stopped after LIMIT seconds.
#
#   bash Gateway/Scripts/load-test.sh [REQUESTS] [RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS="${1:-2000}"
RATE="${2:-80}"
LIMIT="${LIMIT:-300}"
MOCK_PORT=9000      # as Examples/load.json expects
GATEWAY_PORT=8080

swift build -c release --product headroom-mock
swift build -c release --product headroom-gateway
swift build -c release --product headroom-load
BIN="$(swift build -c release --show-bin-path)"

cleanup() { kill "${MOCK_PID:-}" "${GATEWAY_PID:-}" 2>/dev/null || true; }
trap cleanup EXIT

"$BIN/headroom-mock" --config Examples/load.json --port "$MOCK_PORT" > /tmp/headroom-load-mock.log 2>&1 &
MOCK_PID=$!
MOCK_AZURE_KEY=mock "$BIN/headroom-gateway" --config Examples/load.json --port "$GATEWAY_PORT" > /tmp/headroom-load-gateway.log 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$GATEWAY_PORT/healthz" > /dev/null && curl -sf "http://127.0.0.1:$MOCK_PORT/mock/stats" > /dev/null && break
  sleep 0.1
done

timeout "$LIMIT" "$BIN/headroom-load" --gateway "http://127.0.0.1:$GATEWAY_PORT" --key sk-headroom-load \
  --mock "http://127.0.0.1:$MOCK_PORT" --direct direct --requests "$REQUESTS" --rate "$RATE" --limit-seconds "$LIMIT"
# The gateway's CPU time over the run, user and system, from /proc.
read -r -a stat < <(sed 's/.*) //' "/proc/$GATEWAY_PID/stat")
echo "headroom-gateway used $(awk -v ticks="$(getconf CLK_TCK)" -v u="${stat[11]}" -v s="${stat[12]}" 'BEGIN { printf "%.2f", (u + s) / ticks }') s of CPU"
