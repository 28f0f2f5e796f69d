#!/usr/bin/env bash
# The main job: build examples/hello with no Docker daemon, push it to a local registry, then pull
# it back with independent tools (skopeo, umoci) and run its CMD. Needs root (RUN uses chroot).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

echo "== publishing drydock" >&2
dotnet publish src/Drydock.Cli -c Release -o out --nologo -v quiet >/dev/null
drydock=$PWD/out/drydock

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry=127.0.0.1:$port
cat > "$work/registry.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
  delete:
    enabled: true
http:
  addr: $registry
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://$registry/v2/')" 2>/dev/null && break
  sleep 0.1
done
echo "== registry listening on $registry" >&2

echo "== building the base image (FROM scratch + busybox-static)" >&2
cp -r examples/busybox "$work/busybox-context"
cp /bin/busybox "$work/busybox-context/busybox"
"$drydock" build --insecure --destination "$registry/busybox:latest" "$work/busybox-context"

echo "== building examples/hello" >&2
"$drydock" build --insecure --build-arg "BASE=$registry/busybox" \
  --destination "$registry/hello:latest" --destination "$registry/hello:1.0" \
  --digest-file "$work/digest" examples/hello
echo "pushed $registry/hello:latest@$(cat "$work/digest")" >&2

echo "== skopeo inspect docker://$registry/hello:latest" >&2
skopeo inspect --tls-verify=false "docker://$registry/hello:latest" | jq '{Digest, Labels, Layers, Env}'
skopeo inspect --config --tls-verify=false "docker://$registry/hello:latest" | jq '.config | {User, WorkingDir, Cmd, ExposedPorts}'

echo "== running its CMD (umoci unpack + chroot)" >&2
skopeo copy -q --src-tls-verify=false "docker://$registry/hello:latest" "oci:$work/layout:hello"
umoci unpack --image "$work/layout:hello" "$work/bundle" >/dev/null
mapfile -t env < <(jq -r '.process.env[]' "$work/bundle/config.json")
mapfile -t cmd < <(jq -r '.process.args[]' "$work/bundle/config.json")
uid=$(jq -r '.process.user.uid' "$work/bundle/config.json")
gid=$(jq -r '.process.user.gid' "$work/bundle/config.json")
cwd=$(jq -r '.process.cwd' "$work/bundle/config.json")
env -i "${env[@]}" chroot --userspec="$uid:$gid" "$work/bundle/rootfs" /bin/sh -c 'cd "$0" && exec "$@"' "$cwd" "${cmd[@]}"

cat >&2 <<TEXT
== done. To look at it yourself, keep a registry running and rebuild:
   $drydock build --insecure -d 127.0.0.1:5000/hello examples/hello --build-arg BASE=...
   skopeo inspect --tls-verify=false docker://127.0.0.1:5000/hello
TEXT
