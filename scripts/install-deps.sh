#!/usr/bin/env bash
# Installs the Debian packages Drydock's demo and tests use. Idempotent: installs only what is missing.
set -euo pipefail

packages=(
  docker-registry   # the real registry (CNCF distribution) the tests and the demo push to
  skopeo umoci      # independent tools that seed base images and check what Drydock produced
  busybox-static    # a static busybox for FROM-scratch test images
  apache2-utils     # htpasswd, for the registry's basic-auth set-up
  openssl           # a throwaway CA for the TLS set-up
  gcc libc6-dev     # builds the small static RUN launcher (src/Drydock/Sandbox/launcher)
  buildah           # the peer builder of the layer differential tests (tests/Drydock.IntegrationTests/Layers)
  git openssh-client # ADD of git repositories runs git; the ssh mount tests start ssh-agent
  tar gzip jq python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
