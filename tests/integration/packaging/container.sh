# Boots throwaway Debian roots under systemd-nspawn and runs commands in them. Sourced by the
# packaging tests; they run inside `unshare -m` so that the tmpfs on /run/systemd/nspawn and
# everything nspawn mounts vanish with the test. The host has no machined, so a container is
# reached with nsenter on its init process rather than with machinectl.
# One container (the install tests):
#   container_boot ROOT LOG [NSPAWN-ARGS]  start it (private network namespace), wait until systemd is up
#   in_container CMD...       run CMD inside (all namespaces of the container's init)
#   container_poweroff        stop it, killing by PID if it does not go in time
# Several (the fleet test): each has a name (also nspawn's --machine, so its veth's name)
#   container_start NAME ROOT LOG [NSPAWN-ARGS]  start it, do not wait
#   container_wait NAME       wait until its systemd is up (start all first: they boot in parallel)
#   in_machine NAME CMD...    run CMD inside it
#   container_poweroff NAME   stop it;  container_poweroff_all  stop every one started here
# container_netns=PATH (a network namespace file) starts nspawn in that namespace, so that
# --network-bridge=BRIDGE finds a bridge the test made there.

container_name=jitd-test
container_netns=
declare -A container_nspawn_pids=() container_init_pids=()

container_start() {
    local name=$1 root=$2 log=$3
    shift 3
    mkdir -p /run/systemd/nspawn
    mountpoint -q /run/systemd/nspawn || mount -t tmpfs tmpfs /run/systemd/nspawn
    local netns=()
    [[ -n $container_netns ]] && netns=(nsenter --net="$container_netns")
    "${netns[@]}" systemd-nspawn --quiet --register=no --keep-unit --private-network \
        --console=passive --machine="$name" "$@" -D "$root" --boot >"$log" 2>&1 &
    local nspawn=$! init='' i
    container_nspawn_pids[$name]=$nspawn
    # The container's init is nspawn's child named systemd; other children come and go first
    # (a loaded machine catches them).
    for ((i = 0; i < 300; i++)); do
        init=$(pgrep -P "$nspawn" -x systemd | head -1 || true)
        [[ -n $init ]] && break
        kill -0 "$nspawn" 2>/dev/null || { cat "$log" >&2; return 1; }
        sleep 0.1
    done
    [[ -n $init ]] || { echo "container $name: init did not appear" >&2; return 1; }
    container_init_pids[$name]=$init
}

container_wait() {
    local name=$1 i state=
    # Boot has finished when the manager says running (or degraded: a unit failed, not ours).
    # Up to 3 minutes: a loaded CI machine (the other suites run beside this one) is slow.
    for ((i = 0; i < 1800; i++)); do
        state=$(in_machine "$name" systemctl is-system-running 2>/dev/null || true)
        case $state in
            running | degraded) return 0 ;;
        esac
        sleep 0.1
    done
    echo "container $name: systemd did not finish booting (state: $state)" >&2
    return 1
}

# container_init_pid: the one container's init, for callers that enter some of its
# namespaces only (the browser test runs Chromium in its network namespace).
container_init_pid=
container_boot() {
    container_start "$container_name" "$@" || return 1
    container_init_pid=${container_init_pids[$container_name]}
    container_wait "$container_name"
}

in_machine() {
    local name=$1
    shift
    nsenter -t "${container_init_pids[$name]:?container $name is not running}" -a \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

in_container() { in_machine "$container_name" "$@"; }

container_poweroff() {
    local name=${1:-$container_name}
    local nspawn=${container_nspawn_pids[$name]:-} init=${container_init_pids[$name]:-}
    [[ -n $nspawn ]] || return 0
    if kill -0 "$nspawn" 2>/dev/null; then
        [[ -n $init ]] && kill -RTMIN+4 "$init" 2>/dev/null || true
        local i
        for ((i = 0; i < 200; i++)); do
            kill -0 "$nspawn" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$nspawn" 2>/dev/null || true
    fi
    wait "$nspawn" 2>/dev/null || true
    unset "container_nspawn_pids[$name]" "container_init_pids[$name]"
}

# Asks every container to power off first, then waits for each: they shut down in parallel.
container_poweroff_all() {
    local name
    for name in "${!container_init_pids[@]}"; do
        kill -RTMIN+4 "${container_init_pids[$name]}" 2>/dev/null || true
    done
    for name in "${!container_nspawn_pids[@]}"; do container_poweroff "$name"; done
}
