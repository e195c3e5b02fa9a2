#!/usr/bin/env bash
# Assembles the portal image's base without a registry or a Docker engine: a jlink'ed Java 17 runtime from the
# JDK on this machine (it needs the jmods: Debian openjdk-17-jdk-headless), the C libraries that runtime links
# (found with ldd), /etc/passwd with the unprivileged user 185, /tmp and /deployments. Written as a `docker save`
# tarball, which jib reads as `tar://.../base.tar` (-Pimage). No shell, no package manager in the image.
#
#   src/main/docker/jvm-base.sh OUT_DIR [JDK_HOME]       -> OUT_DIR/base.tar
set -euo pipefail

out=${1:?usage: jvm-base.sh OUT_DIR [JDK_HOME]}
jdk=${2:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}
# Maven hands over java.home, which may be a JDK's own directory or (Java 8 layout) its jre/ subfolder
[ -x "$jdk/bin/jlink" ] || jdk=$(dirname "$jdk")
[ -x "$jdk/bin/jlink" ] || { echo "jvm-base.sh: no jlink in $jdk (a JDK 17 is needed)" >&2; exit 1; }
[ -d "$jdk/jmods" ] || { echo "jvm-base.sh: $jdk has no jmods/ (Debian: apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }

# What Quarkus, Hibernate, Vert.x, the PostgreSQL driver and Micrometer use; jdk.jcmd for `kubectl exec ... jcmd`.
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http
modules=$modules,java.prefs,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml
modules=$modules,java.rmi,java.xml.crypto,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.net
modules=$modules,jdk.unsupported,jdk.zipfs,jdk.jcmd,jdk.localedata

rm -rf "$out"
root=$out/rootfs
mkdir -p "$root" "$out/image"

"$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$modules" --include-locales=en,de \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$root/opt/java"
# Debian's JDK points lib/security/cacerts at /etc/ssl/certs/java/cacerts: copy the real store
if [ ! -s "$root/opt/java/lib/security/cacerts" ] || [ -L "$root/opt/java/lib/security/cacerts" ]; then
    rm -f "$root/opt/java/lib/security/cacerts"
    cp -L "$jdk/lib/security/cacerts" "$root/opt/java/lib/security/cacerts"
fi

# headless: drop the desktop natives that would pull X11, ALSA, freetype and image codecs into the image
rm -f "$root"/opt/java/lib/{libawt_xawt,libjsound,libsplashscreen,libfontmanager,libjavajpeg,liblcms}.so

# the shared libraries the runtime's executables and libraries need, at the paths the dynamic linker looks
{ find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 | xargs -0 ldd 2>/dev/null || true; } \
    | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ && $2 ~ /^\(/ { print $1 }' \
    | grep -v "^$root/" \
    | sort -u \
    | while read -r lib; do
        cp -L --parents "$lib" "$root/"
    done
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || { echo "jvm-base.sh: the dynamic linker was not found by ldd" >&2; exit 1; }

# proc, sys, dev: mount points (container runtimes mount them; the chroot check in ContainerImageIT too)
mkdir -p "$root/etc" "$root/tmp" "$root/deployments" "$root/home/spicegate" "$root/proc" "$root/sys" "$root/dev"
chmod 1777 "$root/tmp"
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
spicegate:x:185:0:Spicegate portal:/home/spicegate:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
spicegate:x:185:
nogroup:x:65534:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"

# one layer, reproducible: sorted, epoch times, root-owned except the user's home
layer=$out/image/layer.tar
tar_opts=(--sort=name --mtime=@0 --numeric-owner --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
tar "${tar_opts[@]}" --owner=0 --group=0 --exclude=./home/spicegate -C "$root" -cf "$layer" .
tar "${tar_opts[@]}" --owner=185 --group=0 -C "$root" -rf "$layer" ./home/spicegate

diff_id=sha256:$(sha256sum "$layer" | cut -d' ' -f1)
cat > "$out/image/config.json" <<CONFIG
{"architecture":"amd64","os":"linux",
 "config":{"User":"185","WorkingDir":"/deployments",
   "Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"src/main/docker/jvm-base.sh: jlink ($modules) + libraries"}]}
CONFIG
printf '[{"Config":"config.json","RepoTags":["spicegate/jvm-base:17"],"Layers":["layer.tar"]}]\n' > "$out/image/manifest.json"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$out/image" -cf "$out/base.tar" manifest.json config.json layer.tar
rm -rf "$out/image"
echo "jvm-base.sh: $out/base.tar ($(du -h "$out/base.tar" | cut -f1), runtime $("$root/opt/java/bin/java" -version 2>&1 | head -n 1))"
