#!/usr/bin/env bash
# Builds, without any registry image, the Debian bookworm images the container test runs on:
#   rootfs   debootstrap --variant=minbase bookworm, plus the machine's CA bundle
#   node     rootfs + Node (the major in .nvmrc, from the npm registry) + npm 11, user node 1000:1000:
#            the NODE_IMAGE build argument of deploy/Dockerfile
#   nginx    rootfs + Debian's nginx, user/group nginx 101 (as in mailcow's nginx image)
#   php-fpm  rootfs + Debian's php8.2-fpm (curl, mysql), www-data as uid/gid 82 (as in mailcow's)
# Each image is tagged with a hash of everything it is made of, so a rerun with the same inputs
# builds nothing, and a changed input (script, Dockerfile, Node release, mirror) builds anew.
# The debootstrap tree is also kept as a tarball in the cache, so a wiped Docker data root
# costs an import, not a debootstrap.
#
#   scripts/base-images.sh            prints node=IMAGE, nginx=IMAGE, php-fpm=IMAGE (one a line)
#   DEBIAN_MIRROR=URL                 the Debian mirror (default: the machine's apt sources)
#   BASE_IMAGE_CACHE=DIR              where the rootfs tarball and npm are kept
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
suite=bookworm
arch="$(dpkg --print-architecture)"
cache="${BASE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mailcow-scim/base-images}"
images="$here/tests/container/images"
mkdir -p "$cache"
log() { echo "base-images: $*" >&2; }

# The first mirror the machine's apt uses for $suite itself (deb822 .sources or one-line lists).
machine_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; ok = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris = u[1] }
          if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) ok = 1 }
        }
        if (ok && uris != "") { print uris; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -nE "s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+$suite[[:space:]].*/\2/p" "$f"
  done
}
mirror="${DEBIAN_MIRROR:-$(machine_mirror | head -n 1)}"
[ -n "$mirror" ] || { log "no Debian mirror for $suite in the apt sources; set DEBIAN_MIRROR"; exit 1; }

hash() { sha256sum | cut -c1-16; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# --- rootfs ---------------------------------------------------------------------------------
ca=/etc/ssl/certs/ca-certificates.crt
rootfs_key="$( { echo "$suite $arch $mirror minbase"; sed -n '/^# --- rootfs/,/^# --- node/p' "$0"; sha256sum "$ca"; } | hash)"
rootfs_image="mailcow-scim-base/rootfs:$rootfs_key"
if ! have_image "$rootfs_image"; then
  tarball="$cache/rootfs-$rootfs_key.tar"
  if [ ! -s "$tarball" ]; then
    log "debootstrap $suite ($arch) from $mirror"
    command -v debootstrap >/dev/null || { log "debootstrap is not installed (apt-get install debootstrap)"; exit 1; }
    root="$(mktemp -d "$cache/rootfs.XXXXXX")"
    trap 'rm -rf "$root"' EXIT
    debootstrap --variant=minbase --arch="$arch" "$suite" "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 \
      || { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
    # The machine's CA bundle: outbound TLS may pass a proxy whose CA only the machine trusts.
    install -D -m 0644 "$ca" "$root/etc/ssl/certs/ca-certificates.crt"
    # Image hygiene, as Debian's own container images do: no caches, no docs, no apt lists.
    printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/90mailcow-scim"
    printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\npath-include /usr/share/doc/*/copyright\n' \
      >"$root/etc/dpkg/dpkg.cfg.d/90mailcow-scim"
    chroot "$root" apt-get clean
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log "$root"/tmp/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
    tar --numeric-owner --xattrs -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
    trap - EXIT
    # Older tarballs (other keys) are of no further use.
    find "$cache" -maxdepth 1 -name 'rootfs-*.tar' ! -name "rootfs-$rootfs_key.tar" -delete
  fi
  log "docker import $rootfs_image"
  docker import --change 'CMD ["/bin/bash"]' "$tarball" "$rootfs_image" >/dev/null
fi
# --- node -----------------------------------------------------------------------------------
node_bin="$("$here/scripts/node-runtime.sh")/node"
node_version="$("$node_bin" --version)"
npm_tgz="$(ls "$cache"/npm-11.*.tgz 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$npm_tgz" ]; then
  ( cd "$cache" && npm pack --silent npm@11 >/dev/null )
  npm_tgz="$(ls "$cache"/npm-11.*.tgz | sort -V | tail -n 1)"
fi
build_derived() { # name dockerfile parent [context-prep-fn]
  local name="$1" dockerfile="$2" parent="$3" key tag ctx
  key="$( { docker image inspect --format '{{.Id}}' "$parent"; cat "$dockerfile"; echo "${4:-}"; } | hash)"
  tag="mailcow-scim-base/$name:$key"
  if ! have_image "$tag"; then
    ctx="$(mktemp -d)"
    if [ "$name" = node ]; then
      cp "$node_bin" "$ctx/node"
      tar -xzf "$npm_tgz" -C "$ctx" && mv "$ctx/package" "$ctx/npm"
    fi
    log "docker build $tag"
    docker build --network host --quiet --build-arg "BASE=$parent" -f "$dockerfile" -t "$tag" "$ctx" >/dev/null \
      || { rm -rf "$ctx"; log "building $name failed"; exit 1; }
    rm -rf "$ctx"
  fi
  echo "$tag"
}
node_image="$(build_derived node "$images/node.Dockerfile" "$rootfs_image" "$node_version $(basename "$npm_tgz")")"
nginx_image="$(build_derived nginx "$images/nginx.Dockerfile" "$rootfs_image")"
php_image="$(build_derived php-fpm "$images/php-fpm.Dockerfile" "$rootfs_image")"
echo "node=$node_image"
echo "nginx=$nginx_image"
echo "php-fpm=$php_image"
