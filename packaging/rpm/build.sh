#!/usr/bin/env bash
# Builds the mecmesh RPM (packaging/target/rpm/mecmesh-VERSION-1.x86_64.rpm) from the distribution that
# `mvn -DskipTests package` made, then runs rpmlint on it. Needs rpm (rpmbuild), rpmlint, python3, a JDK 17 (jlink,
# jdeps).
# Reproducible: SOURCE_DATE_EPOCH (default: the last commit's time) sets every time in the package, so two builds from
# one commit have the same payload digest (`rpm -qp --qf '%{PAYLOADDIGEST}\n' FILE`).
# Usage: packaging/rpm/build.sh [OUTDIR]    (default packaging/target/rpm; MECMESH_STAGE=DIR reuses a staged tree;
# the Maven profile -Ppackages runs it)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
packaging=$(dirname "$here")
root=$(dirname "$packaging")
out=$(mkdir -p "${1:-$packaging/target/rpm}" && cd "${1:-$packaging/target/rpm}" && pwd)
: "${SOURCE_DATE_EPOCH:=$(git -C "$root" log -1 --format=%ct 2> /dev/null || date +%s)}"
export SOURCE_DATE_EPOCH

stage=${MECMESH_STAGE:-$out/stage}
if [[ -z "${MECMESH_STAGE:-}" ]]; then
    "$packaging/src/build/stage.sh" "$packaging/target/mecmesh" "$root/README.md" "$stage"
fi
stage=$(cd "$stage" && pwd)
version=$(sed -n 's/^mecmesh \([0-9][0-9.]*\).*/\1/p' < <("$stage/bin/mecmesh" --version) | head -1)

rm -rf "$out/rpmbuild"
# clamp/use_source_date_epoch: file times and the build time from SOURCE_DATE_EPOCH; buildhost fixed; no build id
# links (the jlink runtime's libraries carry the JDK's own).
rpmbuild -bb "$here/mecmesh.spec" \
    --define "_topdir $out/rpmbuild" \
    --define "stage $stage" \
    --define "version_override $version" \
    --define "use_source_date_epoch_as_buildtime 1" \
    --define "clamp_mtime_to_source_date_epoch 1" \
    --define "_buildhost reproducible" \
    --define "_build_id_links none" \
    > "$out/rpmbuild.log" 2>&1 || { tail -30 "$out/rpmbuild.log" >&2; exit 1; }
rpm=$(find "$out/rpmbuild/RPMS" -name 'mecmesh-*.rpm' | head -1)
cp "$rpm" "$out/"
rpm=$out/$(basename "$rpm")
echo "rpm: $rpm ($(du -h "$rpm" | cut -f1)), payload digest $(rpm -qp --qf '%{PAYLOADDIGEST}' "$rpm")"

# rpmlint: errors fail the build, warnings are printed.
if ! rpmlint -r "$here/mecmesh.rpmlintrc" "$rpm" > "$out/rpmlint.txt" 2>&1; then
    cat "$out/rpmlint.txt" >&2
    exit 1
fi
tail -1 "$out/rpmlint.txt"
