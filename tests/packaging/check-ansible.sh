# shellcheck shell=bash disable=SC2154
# Sourced by tests/packaging/run: the Ansible role against a chroot and a
# booted Debian system over SSH; the checks are in ansible-vm, which also runs
# on its own.
# shellcheck source=ansible-vm
. "$here/ansible-vm"
