#!/bin/bash
# Misformatted on purpose (kept as data, not a script of the project): the
# && ends its line, where .editorconfig asks for binary_next_line. shfmt with
# its defaults accepts this file: it is reported only when shfmt read
# .editorconfig.
[[ -n ${1:-} ]] &&
	echo "$1"
