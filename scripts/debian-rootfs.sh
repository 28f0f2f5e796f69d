#!/usr/bin/env bash
# Makes the Debian rootfs tarball the Debian-based build tests start from (apt-get install with
# maintainer scripts, useradd, setcap, a C compiler inside a RUN): a minbase bookworm made with
# debootstrap from this machine's Debian mirror, apt's caches emptied as the official image does.
# Idempotent: once the tarball exists this takes no time. Needs root and the Debian mirror.
set -euo pipefail

test_cache=/var/cache/drydock-tests
tarball=$test_cache/debian-bookworm-minbase.tar
[ -s "$tarball" ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# The mirror apt already uses here; Debian's own otherwise.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
mirror=${mirror:-http://deb.debian.org/debian}

rootfs=$(mktemp -d /tmp/drydock-debootstrap-XXXXXX)
trap '$sudo rm -rf "$rootfs"' EXIT
echo "making $tarball with debootstrap from $mirror (about a minute)" >&2
$sudo debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
$sudo rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
$sudo mkdir -p "$test_cache"
$sudo tar --numeric-owner --xattrs -C "$rootfs" -cf "$tarball.partial" .
$sudo mv "$tarball.partial" "$tarball"
