# bash completion for xshell — source this file, or install it as
#   ~/.local/share/bash-completion/completions/xshell
# TARGET completes device profile names (from `xshell --list-profiles`) and host names.
_xshell_profiles() {
    # The profiles of the settings file in use: a --config FILE typed earlier counts.
    local i config=()
    for (( i = 1; i < COMP_CWORD; i++ )); do
        if [[ "${COMP_WORDS[i]}" == --config ]]; then
            config=(--config "${COMP_WORDS[i+1]}")
        fi
    done
    xshell "${config[@]}" --list-profiles 2>/dev/null
}

_xshell() {
    local cur prev
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    local opts="-u --user -p --password -c --command -f --file -o --output --follow
                --max-events --timeout --connect-timeout --fingerprint --accept-new --accept-invalid --cacert --insecure --auth
                --legacy --config --list-profiles --log --log-format --trace --filter --jobs
                -y --yes --read-only --demo --plain --version -h --help"
    case "$prev" in
        -o|--output)   COMPREPLY=( $(compgen -W "terminal json tshell-json xml" -- "$cur") ); return 0 ;;
        --auth)        COMPREPLY=( $(compgen -W "basic subprotocol" -- "$cur") ); return 0 ;;
        --log-format)  COMPREPLY=( $(compgen -W "text jsonl" -- "$cur") ); return 0 ;;
        -f|--file|--cacert|--config|--log) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
        -u|--user)     COMPREPLY=( $(compgen -W "admin" -- "$cur") ); return 0 ;;
        -p|--password|-c|--command|--max-events|--timeout|--connect-timeout|--fingerprint|--jobs|--filter) return 0 ;;
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
        return 0
    fi
    local profiles
    profiles="$(_xshell_profiles)"
    COMPREPLY=( $(compgen -W "$profiles" -- "$cur") )
    if declare -F _known_hosts_real >/dev/null 2>&1; then
        local saved=( "${COMPREPLY[@]}" )
        _known_hosts_real -- "$cur"
        COMPREPLY=( "${saved[@]}" "${COMPREPLY[@]}" )
    else
        COMPREPLY+=( $(compgen -A hostname -- "$cur") )
    fi
}
complete -F _xshell xshell
