#!/usr/bin/env bash
# Installs the official `openai` and `anthropic` Python clients from PyPI into a
# virtual environment (.build-venv, reused across runs) and runs
# CLIENT_client_check.py against a running gateway.
#
#   bash Gateway/Scripts/client-check.sh openai http://127.0.0.1:8080/v1 KEY
#   bash Gateway/Scripts/client-check.sh anthropic http://127.0.0.1:8080 KEY
#   bash Gateway/Scripts/client-check.sh cache http://127.0.0.1:8080/v1 KEY http://127.0.0.1:9000   # a gateway with a cache section
#   bash Gateway/Scripts/client-check.sh batch MOCK_BINARY GATEWAY_BINARY Gateway/Examples/batch.json  # starts both itself
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/../.build-venv"
# Checks run at once (the tests start several) make the environment one at a time.
mkdir -p "$here/../.build"
exec 9> "$here/../.build/client-check-venv.lock"
flock 9
if [ ! -x "$venv/bin/pip" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c "import openai, anthropic" 2>/dev/null \
  || "$venv/bin/pip" install --quiet --disable-pip-version-check "openai>=1.40,<3" "anthropic>=0.40,<3"
flock -u 9
"$venv/bin/python" "$here/$1_client_check.py" "${@:2}"
