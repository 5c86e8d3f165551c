# shellcheck shell=bash
# Variables shared across the sourced files are set and read in different files:
# shellcheck disable=SC2034,SC2153
# Shared settings and small helpers for tests/vm/vm-test.
# Sourced, not executed.

# Everything downloaded or built lives outside the repository.
TOA_CACHE=${TOA_CACHE:-/var/cache/toa-dkms}
VMT_APT_DIR=$TOA_CACHE/apt
VMT_KERNELS_DIR=$TOA_CACHE/kernels
VMT_WORK_DIR=$TOA_CACHE/vm-work
VMT_LOG_DIR=${TOA_VM_LOGDIR:-$TOA_CACHE/logs}

# Knobs (environment variables), with the defaults CI uses. The VM's own
# (TOA_VM_SMP, TOA_VM_MEM, TOA_VM_TCG_THREAD, TOA_VM_ICOUNT) are read by
# qemu_run (lib/qemu.sh).
VMT_TIMEOUT=${TOA_VM_TIMEOUT:-300}       # seconds one boot may take
VMT_APT_MAX_AGE=${TOA_APT_MAX_AGE:-1440} # minutes before the package lists are refreshed
VMT_W1=${TOA_W1:-0}                      # 1: build the module with W=1 too
VMT_EXTRA_BINS=${TOA_VM_EXTRA_BINS:-}    # extra (possibly dynamic) executables for the VM
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

# kfail STEP MESSAGE: the current kernel fails at STEP. Only ever called in
# a subshell of its own (a kernel's in vm-test, a step of image.sh), which
# it ends; vm-test reads the outcome from $K_WORK/result.
kfail() {
	say "$K_NAME" "FAIL $1: $2"
	[[ -z ${K_WORK:-} ]] || echo "0 1" >"$K_WORK/result"
	exit 1
}

# vmt_lock WHO: take the cache's lock (fd 9) for the rest of the process,
# waiting for the holder if there is one. One user at a time per cache: the
# unpacked kernels, the apt state and the work dirs are shared, and two QEMU
# boots at once would starve each other of CPU.
vmt_lock() {
	mkdir -p "$TOA_CACHE"
	exec 9>"$TOA_CACHE/vm-test.lock"
	if ! flock -n 9; then
		say "$1" "waiting for another user of $TOA_CACHE (vm-test, the packaging VMs)"
		flock 9
	fi
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

# Debian architecture -> the kernel's ARCH= and the GNU triplet of its
# (cross) toolchain. Only the architectures kernels.list may name.
deb_kernel_arch() {
	case $1 in
	amd64) echo x86 ;;
	arm64) echo arm64 ;;
	*) die "unsupported architecture '$1' (amd64, arm64)" ;;
	esac
}
deb_gnu_type() {
	case $1 in
	amd64) echo x86_64-linux-gnu ;;
	arm64) echo aarch64-linux-gnu ;;
	*) die "unsupported architecture '$1' (amd64, arm64)" ;;
	esac
}

# elf_problem FILE ARCH: print why FILE cannot run in an ARCH test VM
# without its host's libraries (nothing when it can): it must be an ELF for
# ARCH, and, for a foreign ARCH, statically linked (ldd cannot resolve a
# foreign binary's libraries).
elf_problem() {
	local file=$1 arch=$2 machine want
	machine=$(LC_ALL=C readelf -h "$file" 2>/dev/null | sed -n 's/^ *Machine: *//p')
	case $arch in
	amd64) want='Advanced Micro Devices X86-64' ;;
	arm64) want='AArch64' ;;
	*) want='?' ;;
	esac
	if [[ -z $machine ]]; then
		echo "not an ELF file"
	elif [[ $machine != "$want" ]]; then
		echo "built for '$machine', not $arch"
	elif [[ $arch != "$(host_arch)" ]] && LC_ALL=C readelf -lW "$file" | grep -q 'program interpreter'; then
		echo "dynamically linked; $arch VMs take static executables only"
	fi
}

# cpio_pack ROOT OUT: ROOT as a gzip'd newc initramfs, files in a fixed
# order and owned by root.
cpio_pack() {
	(cd "$1" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$2"
}
