#!/usr/bin/env bash
# Installs the official `openai` Python client from PyPI into a virtual
# environment (.build-venv, reused across runs) and runs
# openai_client_check.py against a running gateway.
#
#   bash Gateway/Scripts/openai-client-check.sh http://127.0.0.1:8080/v1 KEY
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/../.build-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c "import openai" 2>/dev/null || "$venv/bin/pip" install --quiet --disable-pip-version-check "openai>=1.40,<3"
"$venv/bin/python" "$here/openai_client_check.py" "$1" "$2"
