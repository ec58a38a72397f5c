#!/usr/bin/env bash
# Installs what the tests start for real that a fresh machine may lack: Redis
# (Debian's redis-server; the Gateway tests start their own on loopback ports).
# Run by the README's test command and so by .ci/run.
set -euo pipefail
if ! command -v redis-server > /dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y --no-install-recommends redis-server > /dev/null \
        || { $sudo apt-get update > /dev/null && $sudo apt-get install -y --no-install-recommends redis-server > /dev/null; }
fi
redis-server --version
