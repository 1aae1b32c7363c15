# bash completion for jit-request(1)

_jit_request_grant_ids() {
    # The caller's live grants, from the daemon; nothing when it is not reachable.
    jit-request list --json 2>/dev/null | grep -o '"id": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'
}

_jit_request_pending_ids() {
    # The pending requests the caller may see, from the daemon.
    jit-request pending --json 2>/dev/null | grep -o '"id": *"r-[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'
}

_jit_request() {
    local cur prev words cword
    _init_completion || return

    local commands="open list revoke extend status pending approve reject cancel audit keys"
    local command="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --socket | --timeout | --for | --from | --reason | --since | --until | --user | --port | --format | --host | --key | --dir | --pub | --user-ca | --server | --access | --directory | --file | --by) ((i++)) ;;
            -*) ;;
            *) command=${words[i]}; break ;;
        esac
    done

    case $prev in
        --socket | --key | --pub | --user-ca) _filedir; return ;;
        --dir | --directory) _filedir -d; return ;;
        --file) _filedir journal; return ;;
        --by) COMPREPLY=($(compgen -W "port host" -- "$cur")); return ;;
        --host | --server) _known_hosts_real -- "$cur"; return ;;
        --access) COMPREPLY=($(compgen -W "tcp/22 tcp/3389" -- "$cur")); return ;;
        --for | --since | --until) COMPREPLY=($(compgen -W "15m 30m 1h 3h 7d" -- "$cur")); return ;;
        --from) COMPREPLY=($(compgen -W "${SSH_CONNECTION%% *}" -- "$cur")); return ;;
        --reason | --port | --timeout) return ;;
        --user) COMPREPLY=($(compgen -u -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "table csv json" -- "$cur")); return ;;
    esac

    local opts="--socket --timeout --help"
    case $command in
        "") COMPREPLY=($(compgen -W "$commands --socket --timeout --help --version" -- "$cur")); return ;;
        open)
            if [[ $cur == -* ]]; then
                opts+=" --for --from --reason --host --until --from-packet --key --wait --quiet --user"
            else
                opts="22 3389 5985 5986 22/tcp 22/udp"
            fi
            ;;
        list | status | pending) opts+=" --json" ;;
        approve | reject) if [[ $cur == -* ]]; then opts+=" --reason"; else opts=$(_jit_request_pending_ids); fi ;;
        cancel) [[ $cur == -* ]] || opts=$(_jit_request_pending_ids) ;;
        revoke) if [[ $cur == -* ]]; then opts+=" --kill"; else opts=$(_jit_request_grant_ids); fi ;;
        extend) if [[ $cur == -* ]]; then opts+=" --for"; else opts=$(_jit_request_grant_ids); fi ;;
        audit) opts+=" --since --until --user --port --format --include-untrusted --host --directory --file --by" ;;
        keys)
            case " ${words[*]} " in
                *" add "*) opts+=" --fwknop --pub --dir --force --server --access" ;;
                *" list "*) opts+=" --dir --user-ca" ;;
                *) opts="add list" ;;
            esac
            ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
} &&
    complete -F _jit_request jit-request
