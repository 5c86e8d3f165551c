#!/bin/bash
# Misformatted on purpose (kept as data, not a script of the project): case
# patterns indented below `case`, and a space after a redirection.
# tests/lint/run checks that shfmt reports it.
case ${1:-} in
	-q) exec > /dev/null ;;
esac
