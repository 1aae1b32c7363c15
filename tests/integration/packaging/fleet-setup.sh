# The fleet test's network and roots. Sourced by fleet-test.sh after container.sh and
# test-root.sh, inside its `unshare -m`.
#   fleet_net_up NETNS                  a network namespace with bridge br0, 10.231.0.1/24 (the
#                                       controller: ansible and ssh run there)
#   fleet_root NAME ADDR ROOT TARBALL   a fresh root for container NAME at ADDR on the bridge
#   fleet_root_cache ROOT               copy the fetched package cache into it
#   in_net CMD...                       run CMD in the test's network namespace

fleet_prefix=10.231.0
fleet_netns=

fleet_net_up() {
    fleet_netns=$1
    ip netns add "$fleet_netns"
    ip -n "$fleet_netns" link set lo up
    ip -n "$fleet_netns" link add br0 type bridge
    ip -n "$fleet_netns" addr add "$fleet_prefix.1/24" dev br0
    ip -n "$fleet_netns" link set br0 up
    container_netns=/run/netns/$fleet_netns
}

in_net() { nsenter --net="/run/netns/$fleet_netns" "$@"; }

# fleet_hosts_file: /etc/hosts of every container (the collector is reached by name: its
# certificate carries that name).
fleet_hosts_file() {
    printf '127.0.0.1 localhost\n'
    local name
    for name in "${!fleet_addr[@]}"; do printf '%s %s\n' "${fleet_addr[$name]}" "$name"; done
}

fleet_root() {
    local name=$1 addr=$2 root=$3 tarball=$4
    root_unpack "$root" "$tarball"
    printf '%s\n' "$name" >"$root/etc/hostname"
    systemd-id128 new >"$root/etc/machine-id"
    fleet_hosts_file >"$root/etc/hosts"
    ssh-keygen -q -A -f "$root" >/dev/null
    mkdir -p "$root/etc/systemd/network"
    printf '[Match]\nName=host0\n\n[Network]\nAddress=%s/24\nLinkLocalAddressing=no\n' \
        "$addr" >"$root/etc/systemd/network/10-fleet.network"
}

# Each container's apt gets its own copy of the cached lists and packages (after root_fetch):
# apt locks them, and the hosts install at the same time.
fleet_root_cache() {
    local root=$1
    cp -a "$cache/lists/." "$root/var/lib/apt/lists/"
    cp -a "$cache/archives/." "$root/var/cache/apt/archives/"
    rm -f "$root/var/cache/apt/archives/lock" "$root/var/lib/apt/lists/lock"
}
