#!/usr/bin/env bash
# Install the real peers that tests/test_http_peers.py talks to (Debian packages).
# Node (v20) must already be on PATH; it is checked, not installed, here.
set -euo pipefail
missing=()
command -v curl >/dev/null || missing+=(curl)
command -v nginx >/dev/null || missing+=(nginx)
command -v wget >/dev/null || missing+=(wget)
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v node >/dev/null || { echo "node is required for the Node peer tests" >&2; exit 1; }
echo "peers: $(curl --version | head -1 | cut -d' ' -f1-2), $(nginx -v 2>&1), node $(node --version)"
