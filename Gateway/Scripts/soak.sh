#!/usr/bin/env bash
# Soak: holds headroom-gateway (release build) at twice its deployments' capacity
# for SECONDS (default 600) with good, bad and abandoned requests and upstream
# faults (Examples/soak.json), and samples the gateway's memory and
# descriptors every 10 s. Fails if a request is lost, one is served twice
# upstream, or one is left counted in progress.
#
#   bash Gateway/Scripts/soak.sh          # ten minutes
#   bash Gateway/Scripts/soak.sh 60       # a minute
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
# Capacity: deployments a and b take 600 requests a minute each, 20 a second in all; flaky gets a twentieth.
rate=${SOAK_RATE:-40}
mock_port=${SOAK_MOCK_PORT:-19000}
gateway_port=${SOAK_GATEWAY_PORT:-18080}

for product in headroom-mock headroom-gateway headroom-soak; do
    swift build -c release --product "$product" 2>&1 | tail -1
done
bin="$(swift build -c release --show-bin-path)"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
sed "s/127.0.0.1:9000/127.0.0.1:$mock_port/g" Examples/soak.json > "$work/gateway.json"

"$bin/headroom-mock" --config Examples/soak.json --port "$mock_port" > "$work/mock.log" 2>&1 &
MOCK_AZURE_KEY=soak "$bin/headroom-gateway" --config "$work/gateway.json" --port "$gateway_port" > "$work/gateway.log" 2>&1 &
gateway=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$gateway_port/healthz" > /dev/null && curl -sf "http://127.0.0.1:$mock_port/mock/stats" > /dev/null && break
    sleep 0.1
done

sample() {
    echo "$(awk '/VmRSS/ {print $2}' "/proc/$gateway/status") $(ls "/proc/$gateway/fd" | wc -l)"
}
: > "$work/samples"
(while kill -0 "$gateway" 2>/dev/null; do sample >> "$work/samples"; sleep 10; done) &

status=0
"$bin/headroom-soak" --gateway "http://127.0.0.1:$gateway_port" --key sk-headroom-soak \
    --mock "http://127.0.0.1:$mock_port" --seconds "$seconds" --rate "$rate" || status=$?
sample >> "$work/samples"

awk -v seconds="$seconds" '
    { rss[NR] = $1; fds[NR] = $2; if ($1 > peak) peak = $1; if ($2 > fdpeak) fdpeak = $2 }
    END {
        third = int(NR / 3) + 1
        printf "gateway memory: %.0f MB after 10 s, %.0f MB a third in, %.0f MB at the end, peak %.0f MB\n", rss[2] / 1024, rss[third] / 1024, rss[NR] / 1024, peak / 1024
        printf "gateway descriptors: peak %d, %d at the end (%d samples over %d s)\n", fdpeak, fds[NR], NR, seconds
        line = "gateway memory every minute, MB:"
        for (i = 1; i <= NR; i += 6) line = line sprintf(" %.0f", rss[i] / 1024)
        print line
    }' "$work/samples"
if grep -q "Fatal error\|Segmentation\|Illegal instruction" "$work/gateway.log"; then
    echo "soak: the gateway crashed:"; tail -20 "$work/gateway.log"; status=1
fi
kill -0 "$gateway" 2>/dev/null || { echo "soak: the gateway is not running"; status=1; }
exit $status
