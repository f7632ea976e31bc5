#!/usr/bin/env bash
# Stages the installed tree of /opt/mecmesh for the RPM and the OCI image: the distribution the build made
# (packaging/target/mecmesh: bin/, lib/, etc/, systemd/), a jlink runtime in runtime/ (the launcher prefers it),
# README.md and lib/mecmesh.classlist. No class-data-sharing archive: one recorded here would not be reproducible (two
# dumps of the same classes differ) and names this directory's paths; the RPM's %post and the image build record it
# from the class list where they run. Every file's mtime is SOURCE_DATE_EPOCH.
# Needs a JDK 17 (jdeps, jlink) and python3.
# Usage: stage.sh DIST README OUT    (SOURCE_DATE_EPOCH: default the last commit's time)
set -euo pipefail
dist=$(readlink -f "$1")
readme=$(readlink -f "$2")
out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${SOURCE_DATE_EPOCH:=$(git -C "$here" log -1 --format=%ct 2> /dev/null || date +%s)}"

if ! compgen -G "$dist/lib/appliance-*.jar" > /dev/null; then
    echo "stage: no appliance jar in $dist/lib: build with 'mvn -DskipTests package' first" >&2
    exit 69
fi
rm -rf "$out"
mkdir -p "$out"
cp -a "$dist/bin" "$dist/etc" "$dist/lib" "$dist/systemd" "$out/"
rm -f "$out/lib/mecmesh.jsa" "$out/lib/mecmesh-edge.jsa"
# Native libraries of other platforms: the RPM and the image are for Linux x86_64, as the runtime is.
rm -f "$out"/lib/*-osx-*.jar "$out"/lib/*-windows-*.jar "$out"/lib/*-linux-aarch_64.jar
install -m 0644 "$readme" "$out/README.md"

# The modules the jars use (jdeps), and those they reach without a static reference: the EC key exchange and
# signatures of TLS (jdk.crypto.ec), the compiler Chronicle Wire generates its method readers with at run time
# (jdk.compiler), com.sun.management (jdk.management), zip file systems (jdk.zipfs).
modules=$(jdeps --ignore-missing-deps --multi-release 17 --print-module-deps "$out"/lib/*.jar)
modules="$modules,jdk.crypto.ec,jdk.compiler,jdk.management,jdk.zipfs"
jlink --add-modules "$modules" --strip-debug --strip-native-debug-symbols exclude-debuginfo-files --no-man-pages \
    --no-header-files --compress=2 --output "$out/runtime"
# A headless server: no X11, sound, fonts or image codecs (java.desktop is there for java.beans); their libraries
# would make the RPM require libX11, libasound, libfreetype ... Shared libraries executable, as rpm expects.
rm -f "$out"/runtime/lib/{libawt_xawt,libjawt,libsplashscreen,libjsound,libfontmanager,liblcms,libjavajpeg}.so
find "$out/runtime" -name '*.so' -exec chmod 0755 {} +

# The classes the archive holds: the runtime's default list and every class of the application's jars but the signed
# BouncyCastle ones (CDS skips signed jars) and the native bindings the appliance does not start with. Made from the
# jars, not recorded from a run: a run's list (-XX:DumpLoadedClassList) differs from one run to the next (thread
# timing, generated class names), which would make the package differ too.
{
    grep -v '^[#@]' "$out/runtime/lib/classlist"
    # One python3 for all jars (a `jar tf` per jar starts a JVM each).
    python3 -c 'import sys, zipfile
for jar in sys.argv[1:]:
    print("\n".join(zipfile.ZipFile(jar).namelist()))' "$out"/lib/*.jar \
        | grep -v -f <(printf '%s\n' '^org/bouncycastle/' '^com/sun/jna/' '^jnr/' '^com/kenai/' '^org/objectweb/asm/') \
        | grep '\.class$' | grep -v '^META-INF/\|module-info\|package-info' | sed 's/\.class$//'
} | LC_ALL=C sort -u > "$out/lib/mecmesh.classlist"

find "$out" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
echo "stage: $(du -sh "$out/runtime" | cut -f1) runtime ($modules), $(du -sh "$out" | cut -f1) in all, in $out"
