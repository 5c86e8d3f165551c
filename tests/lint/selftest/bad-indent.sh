#!/bin/bash
# Misformatted on purpose (kept as data, not a script of the project):
# indented with four spaces, where .editorconfig says tabs. tests/lint/run
# checks that shfmt reports it.
count_args() {
    echo "$#"
}
