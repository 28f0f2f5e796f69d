#!/usr/bin/env bash
# Builds Drydock's executor images with Drydock itself, as OCI image layouts:
#   OUTDIR/executor  kaniko's gcr.io/kaniko-project/executor, /kaniko/executor as ENTRYPOINT
#   OUTDIR/debug     the same plus a static busybox under /busybox, for CI jobs with a shell
# each holding one image tagged `latest`, and prints their compressed sizes. With --push REPO it also
# pushes REPO/executor:latest and REPO/debug:latest (credentials from DOCKER_CONFIG, as for builds).
# Arguments after `--` go to each `drydock build`, e.g. `-- --insecure-registry 127.0.0.1:5000` for a
# plain-HTTP registry.
#
# The executor is published as Native AOT with its ELF interpreter and RPATH in /kaniko/lib
# (-p:DrydockKanikoDir, src/Drydock.Cli/Drydock.Cli.csproj), and the loader and every library it
# links or loads (libssl, libcrypto) are copied there from this machine: the executor then keeps
# working when a build in place extracts a base image with another /lib and /etc over the container.
#
# DRYDOCK=PATH builds with that drydock (the tests pass their own); by default the CLI is built here.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR [--push REPO] [-- DRYDOCK-BUILD-FLAGS...]" >&2; exit 2; }
[ $# -ge 1 ] && [ "$1" != -- ] || usage
out=$1; shift
repo=""
if [ $# -gt 0 ] && [ "$1" = "--push" ]; then
  [ $# -ge 2 ] || usage
  repo=${2%/}
  shift 2
fi
if [ $# -gt 0 ]; then
  [ "$1" = -- ] || usage
  shift
fi

root=$(cd "$(dirname "$0")/.." && pwd)
case "$(uname -m)" in
  x86_64) rid=linux-x64 host_loader=/lib64/ld-linux-x86-64.so.2 ;;
  aarch64) rid=linux-arm64 host_loader=/lib/ld-linux-aarch64.so.1 ;;
  *) echo "$0: no executor image for $(uname -m)" >&2; exit 1 ;;
esac
for tool in cc readelf; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing: run scripts/install-deps.sh" >&2; exit 1; }
done
libdir=/usr/lib/$(cc -print-multiarch)
certs=/etc/ssl/certs/ca-certificates.crt
busybox=/bin/busybox
[ -s "$certs" ] || { echo "$0: $certs is missing: install ca-certificates" >&2; exit 1; }
readelf -l "$busybox" | grep -q 'Requesting program interpreter' && { echo "$0: $busybox is not static: install busybox-static" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/drydock-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

drydock=${DRYDOCK:-}
if [ -z "$drydock" ]; then
  dotnet build "$root/src/Drydock.Cli" -c Release -nologo -v q >&2
  drydock=$root/src/Drydock.Cli/bin/Release/net10.0/drydock
fi

echo "publishing the executor (Native AOT, $rid)" >&2
dotnet publish "$root/src/Drydock.Cli" -c Release -r "$rid" -p:PublishAot=true -p:DrydockKanikoDir=/kaniko \
  -o "$work/publish" -nologo -v q >&2

# The build context: rootfs/ (/kaniko, /etc/nsswitch.conf, /tmp) and busybox, as the Dockerfile copies them.
ctx=$work/context
kaniko=$ctx/rootfs/kaniko
mkdir -p "$kaniko/lib" "$kaniko/ssl/certs" "$kaniko/.docker" "$ctx/rootfs/etc" "$ctx/rootfs/tmp" "$ctx/busybox"
cp "$work/publish/drydock" "$kaniko/executor"
# kaniko's warmer: the same binary, which runs `drydock warm` when invoked under that name.
ln -s executor "$kaniko/warmer"
cp "$work/publish/drydock-run" "$kaniko/drydock-run"
cp "$certs" "$kaniko/ssl/certs/ca-certificates.crt"
cp "$root/deploy/openssl.cnf" "$kaniko/ssl/openssl.cnf"
cp "$root/deploy/nsswitch.conf" "$ctx/rootfs/etc/nsswitch.conf"
cp "$busybox" "$ctx/busybox/busybox"
# The loader and the libraries the executor links, with libssl and libcrypto, which .NET loads on
# first TLS use, and theirs; the loader resolves them as this machine does.
loader_name=$(basename "$host_loader")
cp -L "$host_loader" "$kaniko/lib/$loader_name"
{
  "$host_loader" --list "$kaniko/executor"
  "$host_loader" --list "$libdir/libssl.so.3"
} | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u | while read -r lib; do
  cp -L "$lib" "$kaniko/lib/$(basename "$lib")"
done
cp -L "$libdir/libssl.so.3" "$kaniko/lib/"
# Drydock's own libc calls name "libc": .NET probes "libc.so" first, along the RPATH and then the
# system's directories, where a base may hold another libc's (musl's on Alpine) or a linker script.
ln -s libc.so.6 "$kaniko/lib/libc.so"
# As in kaniko's image, /kaniko is writable by every user (builds under another uid); /tmp is the
# usual temp directory, for the chroot isolation's work directory.
chmod 777 "$kaniko"
chmod 1777 "$ctx/rootfs/tmp"

mkdir -p "$out"
for image in executor debug; do
  rm -rf "${out:?}/$image"
  if [ -n "$repo" ]; then
    destination=(--destination "$repo/$image:latest")
  else
    destination=(--destination "$image:latest" --no-push)
  fi
  echo "building $image" >&2
  "$drydock" build --context "$ctx" --dockerfile "$root/deploy/Dockerfile" --target "$image" \
    "${destination[@]}" --oci-layout-path "$out/$image" --reproducible "$@" >/dev/null
done

# Compressed size: what a pull downloads (manifest, config and layer blobs).
for image in executor debug; do
  size=$(find "$out/$image/blobs" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
  printf '%s\t%s\t%s bytes (%s MB)\n' "$image" "$out/$image" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')"
done
