# shellcheck shell=bash disable=SC2154
# Sourced by tests/packaging/run: the packages on a booted Debian system
# (debootstrapped bookworm image under QEMU); the checks are in vm-boot, which
# also runs on its own.
# shellcheck source=vm-boot
. "$here/vm-boot"
