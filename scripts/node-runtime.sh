#!/usr/bin/env bash
# Prints the bin directory of the Node.js the suite and the image run on (the major in .nvmrc),
# fetching it from the npm registry (package node-linux-<arch>@<major>, whose bin/node is the
# official build) into a cache on first use. CI puts this directory first on PATH, so npm ci,
# the tests and the benchmark all run on the image's runtime, not the machine's.
#   scripts/node-runtime.sh            -> /root/.cache/mailcow-scim/node-v24.x.y-linux-x64/bin
#   NODE_RUNTIME_CACHE=DIR             -> cache somewhere else
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
major="$(tr -d ' \n' < "$here/.nvmrc")"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "node-runtime: no npm build of Node for $(uname -m)" >&2; exit 1 ;;
esac
cache="${NODE_RUNTIME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mailcow-scim}"
mkdir -p "$cache"
# Reuse a cached runtime of this major when one is there (no registry round trip per run).
existing="$(ls -d "$cache"/node-v"$major".*-linux-"$arch" 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -n "$existing" ] && [ -x "$existing/bin/node" ]; then
  echo "$existing/bin"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent "node-linux-$arch@$major" >/dev/null )
tar -xzf "$work"/node-linux-"$arch"-*.tgz -C "$work" package/bin/node package/LICENSE
version="$("$work/package/bin/node" --version)"
dest="$cache/node-$version-linux-$arch"
mkdir -p "$dest/bin"
mv "$work/package/bin/node" "$dest/bin/node"
mv "$work/package/LICENSE" "$dest/LICENSE"
echo "$dest/bin"
