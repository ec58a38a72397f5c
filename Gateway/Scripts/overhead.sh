#!/usr/bin/env bash
# Overhead: what headroom-gateway adds to each request, on loopback. nginx
# (Debian's package, installed if missing) is an upstream that answers every
# chat at once; headroom-overhead sends closed-loop requests at concurrency 1,
# 8 and 64, alternately straight to nginx and through the gateway in front of
# it, and prints requests a second, latency, the latency added, the gateway's
# CPU a request and its resident memory after each run.
#
#   bash Gateway/Scripts/overhead.sh [SECONDS] [ROUNDS]    # 10 s a run, 2 rounds
#   OVERHEAD_LEVELS=8 bash Gateway/Scripts/overhead.sh     # one concurrency only
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
rounds=${2:-2}
upstream_port=${OVERHEAD_UPSTREAM_PORT:-18481}
gateway_port=${OVERHEAD_GATEWAY_PORT:-18480}

if ! command -v nginx > /dev/null; then
    apt-get update -qq && { apt-get install -y -qq nginx-light || apt-get install -y -qq nginx; } > /dev/null
fi
for product in headroom-gateway headroom-overhead; do
    swift build -c release --product "$product" 2>&1 | tail -1
done
bin="$(swift build -c release --show-bin-path)"
work=$(mktemp -d)
trap 'kill $(jobs -p) $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT

completion='{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}'
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 10000000;
    client_body_temp_path $work;
    server {
        listen 127.0.0.1:$upstream_port;
        location /v1/chat/completions { default_type application/json; return 200 '$completion'; }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" &
cat > "$work/gateway.json" <<CONF
{
  "deployments": [{"id": "nginx", "provider": "openai-compatible", "baseURL": "http://127.0.0.1:$upstream_port/v1",
                   "apiKeyEnvironment": "UPSTREAM_KEY", "models": ["gpt-4o"],
                   "requestsPerMinute": 100000000, "tokensPerMinute": 100000000000}],
  "tenants": [{"name": "bench", "key": "sk-headroom-bench"}],
  "gateway": {"host": "127.0.0.1", "port": $gateway_port}
}
CONF
UPSTREAM_KEY=none "$bin/headroom-gateway" --config "$work/gateway.json" ${OVERHEAD_GATEWAY_OPTIONS:-} > "$work/gateway.log" 2>&1 &
gateway=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$gateway_port/healthz" > /dev/null && break
    sleep 0.1
done
"$bin/headroom-overhead" --gateway "http://127.0.0.1:$gateway_port" --key sk-headroom-bench \
    --direct "http://127.0.0.1:$upstream_port/v1" --gateway-pid "$gateway" --seconds "$seconds" --rounds "$rounds" ${OVERHEAD_LEVELS:+--levels $OVERHEAD_LEVELS}
