#!/bin/bash
# Misformatted on purpose (kept as data, not a script of the project):
# indented with spaces, where .editorconfig says tabs. tests/lint/run checks
# that shfmt reports it.
set -euo pipefail

greet() {
    local who=$1
    case $who in
    world)
        echo "hello, $who"
        ;;
    *) echo "hi, $who" ;;
    esac
}

if [[ -n ${1:-} ]] \
    && [[ $1 != -* ]]; then
    greet "$1" >/dev/null
fi
printf '%s\n' b a \
    | sort
