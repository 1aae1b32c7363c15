# A fresh Debian 12 root for a packaging test, with the packages' dependencies fetched. Sourced
# by install-test.sh and client-install-test.sh (after container.sh), inside their `unshare -m`.
#   root_unpack ROOT TARBALL       a tmpfs at ROOT holding a clean copy of the cached root
#   root_fetch ROOT LOG CACHE PKG...  apt downloads what PKG... (paths inside ROOT) need
#   apt_cache                      the nspawn --bind options that share CACHE's archives and lists

apt_cache=()

root_unpack() {
    mkdir "$1"
    # On a tmpfs: unpacking and deleting a root on disk takes longer than the whole test.
    mount -t tmpfs -o size=2g,mode=0755 tmpfs "$1"
    tar -C "$1" -xf "$2"
}

# apt resolves the packages' dependencies (from dpkg-shlibdeps) against Debian's archive. The
# booted container has no network, so they are fetched first, by apt inside the root on the
# host's network (no boot, no firewall change), into a cache kept between runs.
root_fetch() {
    local root=$1 log=$2 cache=$3
    shift 3
    mkdir -p "$cache/archives" "$cache/lists"
    apt_cache=(--bind="$cache/archives:/var/cache/apt/archives" --bind="$cache/lists:/var/lib/apt/lists")
    fetch() {
        systemd-nspawn --quiet --register=no --keep-unit --resolv-conf=copy-host "${apt_cache[@]}" \
            -D "$root" env DEBIAN_FRONTEND=noninteractive "$@" >>"$log" 2>&1
    }
    # The package lists are cached too; they are refreshed only when they no longer fit the archive.
    if ! fetch apt-get install -y -qq --download-only "$@"; then
        fetch apt-get update -qq || { cat "$log" >&2; return 1; }
        fetch apt-get install -y -qq --download-only "$@" || { cat "$log" >&2; return 1; }
    fi
}
