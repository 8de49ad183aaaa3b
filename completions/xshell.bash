# bash completion for xshell — source this file, or install it as
#   ~/.local/share/bash-completion/completions/xshell
_xshell() {
    local cur prev
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    local opts="-u --user -p --password -c --command -f --file -o --output --follow
                --max-events --timeout --fingerprint --accept-new --cacert --insecure --auth --demo --plain --version -h --help"
    case "$prev" in
        -o|--output)   COMPREPLY=( $(compgen -W "terminal json" -- "$cur") ); return 0 ;;
        --auth)        COMPREPLY=( $(compgen -W "basic subprotocol" -- "$cur") ); return 0 ;;
        -f|--file|--cacert) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
        -u|--user)     COMPREPLY=( $(compgen -W "admin" -- "$cur") ); return 0 ;;
        -p|--password|-c|--command|--max-events|--timeout|--fingerprint) return 0 ;;
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
        return 0
    fi
    if declare -F _known_hosts_real >/dev/null 2>&1; then
        _known_hosts_real -- "$cur"
    else
        COMPREPLY=( $(compgen -A hostname -- "$cur") )
    fi
}
complete -F _xshell xshell
