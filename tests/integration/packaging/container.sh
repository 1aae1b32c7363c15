# Boots a throwaway Debian root under systemd-nspawn and runs commands in it. Sourced by the
# packaging tests; they run inside `unshare -m` so that the tmpfs on /run/systemd/nspawn and
# everything nspawn mounts vanish with the test. The host has no machined, so the container is
# reached with nsenter on its init process rather than with machinectl.
#   container_boot ROOT LOG [NSPAWN-ARGS]  start it (private network namespace), wait until systemd is up
#   in_container CMD...       run CMD inside (all namespaces of the container's init)
#   container_poweroff        stop it, killing by PID if it does not go in time

container_nspawn_pid=
container_init_pid=

container_boot() {
    local root=$1 log=$2
    shift 2
    mkdir -p /run/systemd/nspawn
    mountpoint -q /run/systemd/nspawn || mount -t tmpfs tmpfs /run/systemd/nspawn
    systemd-nspawn --quiet --register=no --keep-unit --private-network --console=passive \
        --machine=jitd-test "$@" -D "$root" --boot >"$log" 2>&1 &
    container_nspawn_pid=$!
    local i
    for ((i = 0; i < 300; i++)); do
        container_init_pid=$(pgrep -P "$container_nspawn_pid" | head -1 || true)
        [[ -n $container_init_pid ]] && break
        kill -0 "$container_nspawn_pid" 2>/dev/null || { cat "$log" >&2; return 1; }
        sleep 0.1
    done
    [[ -n $container_init_pid ]] || { echo "container: init did not appear" >&2; return 1; }
    # Boot has finished when the manager says running (or degraded: a unit failed, not ours).
    # Up to 3 minutes: a loaded CI machine (the other suites run beside this one) is slow.
    for ((i = 0; i < 1800; i++)); do
        local state
        state=$(in_container systemctl is-system-running 2>/dev/null || true)
        case $state in
            running | degraded) return 0 ;;
        esac
        sleep 0.1
    done
    echo "container: systemd did not finish booting (state: $state)" >&2
    return 1
}

in_container() {
    nsenter -t "$container_init_pid" -a \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

container_poweroff() {
    [[ -n $container_nspawn_pid ]] || return 0
    if kill -0 "$container_nspawn_pid" 2>/dev/null; then
        [[ -n $container_init_pid ]] && kill -RTMIN+4 "$container_init_pid" 2>/dev/null || true
        local i
        for ((i = 0; i < 200; i++)); do
            kill -0 "$container_nspawn_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$container_nspawn_pid" 2>/dev/null || true
    fi
    wait "$container_nspawn_pid" 2>/dev/null || true
    container_nspawn_pid=
    container_init_pid=
}
