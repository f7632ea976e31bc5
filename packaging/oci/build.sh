#!/usr/bin/env bash
# Builds the mecmesh OCI image without a container daemon: a Debian bookworm minbase root (mmdebstrap, from the
# Debian mirror apt is configured with) with the staged /opt/mecmesh (jlink runtime, jars, README) and its
# class-data-sharing archive recorded inside that root, as one layer in an OCI layout (umoci), with the image
# configuration: user mecmesh (10001), entrypoint `mecmesh run --config /etc/mecmesh/appliance.yaml`, ports,
# org.opencontainers.image.* labels and a health check on /ready. Needs root (mmdebstrap's root mode, chroot),
# mmdebstrap, umoci, python3, a JDK 17 (jlink).
# Output: OUTDIR/image (OCI layout, tag = version; `skopeo copy oci:OUTDIR/image:0.1.0 docker-daemon:mecmesh:0.1.0`
# or any registry to publish it).
# Usage: packaging/oci/build.sh [OUTDIR]    (default packaging/target/oci; MECMESH_STAGE=DIR reuses a staged tree)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
packaging=$(dirname "$here")
root=$(dirname "$packaging")
out=$(mkdir -p "${1:-$packaging/target/oci}" && cd "${1:-$packaging/target/oci}" && pwd)
: "${SOURCE_DATE_EPOCH:=$(git -C "$root" log -1 --format=%ct 2> /dev/null || date +%s)}"
export SOURCE_DATE_EPOCH
uid=10001

stage=${MECMESH_STAGE:-$out/stage}
if [[ -z "${MECMESH_STAGE:-}" ]]; then
    "$packaging/src/build/stage.sh" "$packaging/target/mecmesh" "$root/README.md" "$stage"
fi
stage=$(cd "$stage" && pwd)
version=$("$stage/bin/mecmesh" --version | sed -n 's/^mecmesh \([0-9][0-9.]*\).*/\1/p' | head -1)

# The root: Debian's essential packages and apt (minbase; apt brings libstdc++ and zlib, which the runtime needs),
# no documentation, man pages or locales. The hooks run as root on the root directory ($1).
rm -rf "$out/rootfs.tar" "$out/image"
mmdebstrap --variant=minbase --mode=root --quiet \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook='mkdir -p "$1/opt/mecmesh" && cp -a '"'$stage'"'/. "$1/opt/mecmesh/"' \
    --customize-hook='mkdir -p "$1/etc/mecmesh" && mv "$1/opt/mecmesh/etc/appliance.yaml" "$1/etc/mecmesh/appliance.yaml"' \
    --customize-hook='mkdir -p "$1/opt/mecmesh/doc" && mv "$1/opt/mecmesh/etc/desired-state.example.yaml" "$1/opt/mecmesh/doc/"' \
    --customize-hook='rm -rf "$1/opt/mecmesh/etc" "$1/opt/mecmesh/systemd" && ln -s ../../opt/mecmesh/bin/mecmesh "$1/usr/bin/mecmesh"' \
    --customize-hook='echo "mecmesh:x:'$uid':'$uid':mecmesh service-mesh appliance:/var/lib/mecmesh:/usr/sbin/nologin" >> "$1/etc/passwd"' \
    --customize-hook='echo "mecmesh:x:'$uid':" >> "$1/etc/group" && echo "mecmesh:!:::::::" >> "$1/etc/shadow"' \
    --customize-hook='install -d -m 0750 -o '$uid' -g '$uid' "$1/var/lib/mecmesh"' \
    --customize-hook='chroot "$1" env MECMESH_JAVA_OPTS="-Xshare:dump -XX:SharedClassListFile=/opt/mecmesh/lib/mecmesh.classlist -XX:SharedArchiveFile=/opt/mecmesh/lib/mecmesh.jsa" /opt/mecmesh/bin/mecmesh > /dev/null 2>&1' \
    --customize-hook='chroot "$1" env MECMESH_JAVA_OPTS="-Xshare:dump -XX:SharedClassListFile=/opt/mecmesh/lib/mecmesh-edge.classlist -XX:SharedArchiveFile=/opt/mecmesh/lib/mecmesh-edge.jsa" /opt/mecmesh/bin/mecmesh > /dev/null 2>&1' \
    --customize-hook='test -s "$1/opt/mecmesh/lib/mecmesh.jsa" && test -s "$1/opt/mecmesh/lib/mecmesh-edge.jsa" && touch -d "@$SOURCE_DATE_EPOCH" "$1/opt/mecmesh/lib/mecmesh.jsa" "$1/opt/mecmesh/lib/mecmesh-edge.jsa" "$1/opt/mecmesh/lib"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*.log "$1"/var/cache/ldconfig/aux-cache' \
    bookworm "$out/rootfs.tar"

# The image: one layer, then its configuration.
image="$out/image"
umoci init --layout "$image"
umoci new --image "$image:$version"
umoci raw add-layer --image "$image:$version" --history.created_by "mmdebstrap --variant=minbase bookworm + /opt/mecmesh" \
    --history.created "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)" "$out/rootfs.tar"
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
labels=(
    "org.opencontainers.image.title=mecmesh"
    "org.opencontainers.image.description=Service-mesh appliance for MEC edge servers"
    "org.opencontainers.image.version=$version"
    "org.opencontainers.image.revision=$revision"
    "org.opencontainers.image.created=$created"
    "org.opencontainers.image.licenses=Apache-2.0"
    "org.opencontainers.image.vendor=mecmesh"
    "org.opencontainers.image.base.name=debian:bookworm (mmdebstrap --variant=minbase)"
    "org.opencontainers.image.documentation=file:///opt/mecmesh/README.md"
    # The OCI image configuration has no health check; the Docker-compatible field is set below, and this label
    # says what to probe for runtimes that take it from a label (Kubernetes: an httpGet readiness probe).
    "io.mecmesh.healthcheck=GET http://127.0.0.1:15000/ready (admin endpoint), 200 when ready"
)
config=(--created "$created" --author mecmesh --no-history
    --config.user "$uid:$uid" --config.workingdir /var/lib/mecmesh
    --config.env PATH=/opt/mecmesh/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    --config.entrypoint /opt/mecmesh/bin/mecmesh --config.entrypoint run
    --config.entrypoint=--config --config.entrypoint /etc/mecmesh/appliance.yaml
    --config.exposedports 15001/tcp --config.exposedports 15000/tcp
    --config.volume /var/lib/mecmesh --config.stopsignal SIGTERM)
for label in "${labels[@]}"; do
    config+=(--config.label "$label" --manifest.annotation "$label")
done
umoci config --image "$image:$version" "${config[@]}"
python3 "$here/healthcheck.py" "$image" "$version"
umoci gc --layout "$image"

layers=$(python3 -c 'import json,sys
layout=sys.argv[1]
index=json.load(open(layout+"/index.json"))
m=[d for d in index["manifests"] if d.get("annotations",{}).get("org.opencontainers.image.ref.name")==sys.argv[2]][0]
manifest=json.load(open(layout+"/blobs/"+m["digest"].replace(":","/")))
print(sum(l["size"] for l in manifest["layers"]))' "$image" "$version")
echo "oci: $image:$version, layer $((layers / 1048576)) MiB compressed, root $(du -sm --apparent-size "$out/rootfs.tar" | cut -f1) MiB unpacked"
