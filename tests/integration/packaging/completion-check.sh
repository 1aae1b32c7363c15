#!/usr/bin/env bash
# Exercises the bash completion of jit-request: commands, per-command options, option values.
#   completion-check.sh COMPLETION_FILE   (exit 77 without the bash-completion package)
set -uo pipefail
file=${1:?usage: completion-check.sh COMPLETION_FILE}
framework=/usr/share/bash-completion/bash_completion
[[ -r $framework ]] || { echo "bash-completion missing"; exit 77; }
source "$framework"
source "$file"
failed=0
# expect "LINE" "EXPECTED": what completing the last word of LINE offers.
expect() {
    read -ra COMP_WORDS <<<"$1"
    [[ $1 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$1
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _jit_request
    local got="${COMPREPLY[*]}"
    if [[ $got != "$2" ]]; then
        echo "FAIL: '$1' completes to '$got', expected '$2'"
        failed=1
    fi
}
expect "jit-request o" "open"
expect "jit-request re" "revoke reject"
expect "jit-request ap" "approve"
expect "jit-request approve r-1 --r" "--reason"
expect "jit-request open 22 --f" "--for --from --from-packet"
expect "jit-request open 22 --host bastion --w" "--wait"
expect "jit-request keys " "add list"
expect "jit-request keys add alice --p" "--pub"
expect "jit-request audit --format c" "csv"
expect "jit-request audit --by h" "host"
expect "jit-request audit --dir" "--directory"
expect "jit-request list --j" "--json"
expect "jit-request --socket /run/jitd/jitd.sock st" "status"
expect "jit-request extend --" "--socket --timeout --help --for"
[[ $failed == 0 ]] && echo "completion-check: ok"
exit $failed
