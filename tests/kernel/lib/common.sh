# shellcheck shell=bash
# Variables shared across the sourced files are set and read in different files:
# shellcheck disable=SC2034,SC2153
# Shared settings and small helpers for tests/kernel/vm-test.
# Sourced, not executed.

# Everything downloaded or built lives outside the repository.
TOA_CACHE=${TOA_CACHE:-/var/cache/toa-dkms}
VMT_APT_DIR=$TOA_CACHE/apt
VMT_KERNELS_DIR=$TOA_CACHE/kernels
VMT_WORK_DIR=$TOA_CACHE/vm-work
VMT_LOG_DIR=${TOA_VM_LOGDIR:-$TOA_CACHE/logs}

# Knobs (environment variables), with the defaults CI uses.
VMT_TIMEOUT=${TOA_VM_TIMEOUT:-300}        # seconds one boot may take
VMT_SMP=${TOA_VM_SMP:-2}                  # the tests need real concurrency
VMT_MEM=${TOA_VM_MEM:-1024}               # MiB
VMT_APT_MAX_AGE=${TOA_APT_MAX_AGE:-1440}  # minutes before the package lists are refreshed
VMT_W1=${TOA_W1:-0}                       # 1: build the module with W=1 too
VMT_EXTRA_BINS=${TOA_VM_EXTRA_BINS:-}     # extra (possibly dynamic) executables for the VM
# What /init runs inside the VM (a shell command line); its exit code is
# the VM's verdict. Other suites (stress, benchmarks) run their own program.
VMT_RUN=${TOA_VM_RUN:-/bin/toa-vmtest --module /lib/modules/toa.ko}

# Print one progress line: "[kernel] step: text".
say() {
    local who=$1
    shift
    printf '[%s] %s\n' "$who" "$*"
}

die() {
    printf 'vm-test: %s\n' "$*" >&2
    exit 2
}

# Wall-clock timer with millisecond resolution (bash 5 EPOCHREALTIME).
now() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }
# elapsed START -> "1.234s"
elapsed() {
    local us=$(($(now) - $1))
    printf '%d.%01ds' $((us / 1000000)) $((us % 1000000 / 100000))
}

# The Debian architecture this machine runs.
host_arch() { dpkg --print-architecture; }
