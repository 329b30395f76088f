#!/usr/bin/env bash
# Installs what the benchmarks drive besides Python: wrk and curl (Debian packages) and
# Prism (npm, pinned in bench/prism/package-lock.json). Needs root for apt-get, and
# node/npm for Prism.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk curl
    else sudo apt-get update -qq && sudo apt-get install -y -qq wrk curl; fi
fi
if [ ! -x prism/node_modules/.bin/prism ]; then
    command -v npm >/dev/null || { echo "error: npm is needed to install Prism" >&2; exit 2; }
    (cd prism && npm ci --no-audit --no-fund --ignore-scripts)
fi
