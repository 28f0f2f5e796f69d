#!/usr/bin/env bash
# Installs the npm servers the bucket-context tests start on loopback: s3rver (an S3-compatible
# store) and Azurite (Azure Storage's emulator). They go into a cache outside the repository, with
# exact versions; a second run only compares the installed versions and takes well under a second.
# Google Cloud Storage has no emulator here that works offline (see README), so none is installed.
set -euo pipefail

prefix=${DRYDOCK_NODE_TOOLS:-/var/cache/drydock-tests/node}
tools=(s3rver@3.7.1 azurite@3.37.0)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if ! command -v npm >/dev/null; then
  echo "installing: nodejs npm" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

installed() {  # name@version is there
  local name=${1%@*} version=${1##*@}
  [ "$(jq -r .version "$prefix/node_modules/$name/package.json" 2>/dev/null)" = "$version" ]
}

missing=()
for t in "${tools[@]}"; do installed "$t" || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing from npm into $prefix: ${missing[*]}" >&2
  $sudo mkdir -p "$prefix"
  # No audit, funding or update checks: the tests' machines reach the registry and nothing else.
  $sudo npm install --prefix "$prefix" --no-audit --no-fund --no-update-notifier --loglevel=error "${tools[@]}" >/dev/null
fi
