#!/bin/bash
# Misformatted on purpose (kept as data, not a script of the project): the
# && and | end their lines, where .editorconfig asks for binary_next_line.
# shfmt with its defaults accepts this file: it is reported only when shfmt
# read .editorconfig.
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

if [[ -n ${1:-} ]] &&
	[[ $1 != -* ]]; then
	greet "$1" >/dev/null
fi
printf '%s\n' b a |
	sort
