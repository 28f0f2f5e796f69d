#!/usr/bin/env bash
# Installs the Debian packages Drydock's demo and tests use, sets up QEMU user emulation for arm64
# and caches an arm64 busybox-static package for the multi-platform tests. Idempotent: only what
# is missing is done, so a second run takes well under a second.
set -euo pipefail

# The multi-platform tests read the arm64 busybox package from here (outside the repository).
test_cache=/var/cache/drydock-tests
arm64_busybox_deb=$test_cache/busybox-static_arm64.deb

packages=(
  docker-registry   # the real registry (CNCF distribution) the tests and the demo push to
  skopeo umoci      # independent tools that seed base images and check what Drydock produced
  busybox-static    # a static busybox for FROM-scratch test images
  apache2-utils     # htpasswd, for the registry's basic-auth set-up
  openssl           # a throwaway CA for the TLS set-up
  gcc libc6-dev     # builds the small static RUN launcher (src/Drydock/Sandbox/launcher)
  libseccomp-dev    # the launcher's seccomp filter (Docker's default profile), linked statically
  buildah           # the peer builder of the layer differential tests (tests/Drydock.IntegrationTests/Layers)
  git openssh-client # ADD of git repositories runs git; the ssh mount tests start ssh-agent
  tar gzip jq python3
  bzip2 xz-utils zstd # archives in every compression for the ADD and tar-context tests
  debootstrap       # the Debian rootfs of the Debian-based build tests (scripts/debian-rootfs.sh)
  qemu-user-static binfmt-support # RUN for a foreign platform (linux/arm64 on amd64): the kernel hands its binaries to QEMU
  podman crun       # runs the executor images as a CI runner does (tests/Drydock.IntegrationTests/Fixtures/Podman.cs)
  ca-certificates   # the CA bundle deploy/build-images.sh puts into the executor images
)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# QEMU runs foreign binaries only once binfmt_misc is mounted and the entry enabled; the F flag
# (qemu-user-static's default) makes it work inside a chroot, where no QEMU binary exists.
# Where the machine forbids it, only the tests that RUN arm64 binaries fail (saying why); the rest run.
binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/register" ]; then
  $sudo mount -t binfmt_misc binfmt_misc "$binfmt" ||
    echo "warning: could not mount binfmt_misc; RUN for linux/arm64 will not work here" >&2
fi
if [ -e "$binfmt/register" ] && ! grep -qx enabled "$binfmt/qemu-aarch64" 2>/dev/null; then
  echo "enabling the qemu-aarch64 binfmt entry" >&2
  $sudo update-binfmts --enable qemu-aarch64 ||
    echo "warning: could not enable qemu-aarch64; RUN for linux/arm64 will not work here" >&2
fi

# A real arm64 busybox for the tests' two-platform base image.
if [ ! -s "$arm64_busybox_deb" ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
  fi
  if ! apt-cache show busybox-static:arm64 >/dev/null 2>&1; then
    $sudo apt-get update -qq
  fi
  $sudo mkdir -p "$test_cache"
  download=$(mktemp -d)
  chmod 755 "$download" # apt-get download drops to the _apt user
  (cd "$download" && apt-get download -qq busybox-static:arm64)
  $sudo mv "$download"/busybox-static_*_arm64.deb "$arm64_busybox_deb"
  rmdir "$download"
  echo "cached $arm64_busybox_deb" >&2
fi

# The S3 and Azure Blob servers of the bucket-context tests, from npm.
bash "$(dirname "$0")/install-node-tools.sh"
