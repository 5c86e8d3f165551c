#!/bin/bash
# Formatted as .editorconfig says: tests/lint/run's shfmt self-test expects
# shfmt to accept this file. The leading && and | below are right only when
# shfmt read binary_next_line = true from .editorconfig.
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
