# shellcheck shell=bash
# Variables shared across the sourced files are set and read in different files:
# shellcheck disable=SC2034,SC2153
# Build chroots for kernels whose headers need a newer toolchain than the
# host has (trixie: gcc-14 and glibc >= 2.38; sid: gcc-16). Sourced by vm-test.
#
# Cache layout:
#   $VMT_CHROOT_DIR/<suite>-<arch>-<cc>/   a debootstrap'd minbase system
#     .toa-ready                            the --include list, written last; a
#                                           directory without it is recreated
#                                           from scratch
#
# A chroot is reused as long as it was made with the same --include list and
# its libc6 and its compiler are as new as the
# ones the suite has in the (private) package lists; when the mirror moves on
# (sid does weekly), it is rebuilt (~1 minute), so the kernel's prebuilt
# kbuild tools never need a newer glibc than the chroot has.
#
# The build runs in a private mount namespace (unshare -m) when the machine
# allows it, so even a SIGKILL leaves no mount behind on the host; the
# script that mounts also unmounts in an EXIT trap, which is all there is
# when unshare is not available.

VMT_CHROOT_DIR=$TOA_CACHE/chroots
# What the module build needs in the chroot besides the compiler: make;
# libelf and libssl for the prebuilt objtool/modpost/sign-file of
# linux-kbuild-*; pahole for BTF of modules; kmod; perl for W=1 builds
# (kernels before 6.18 run the perl scripts/kernel-doc on every file). (t64
# names: trixie and newer, which are the suites that need a chroot at all.)
# A chroot made with another list is rebuilt.
VMT_CHROOT_PKGS=make,libelf1t64,libssl3t64,pahole,kmod,perl

# chroot_pkg_version ROOT PKG: the version of PKG installed in ROOT, or nothing.
chroot_pkg_version() {
	dpkg-query --admindir="$1/var/lib/dpkg" -W -f='${Version}' "$2" 2>/dev/null || true
}

# chroot_mounted DIR: true when anything is mounted at or under DIR.
chroot_mounted() {
	awk -v d="$1" '$2 == d || index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mounts
}

# chroot_remove DIR: delete a chroot, refusing when something is still
# mounted inside it (rm -rf would descend into the bind-mounted source and
# kernel headers).
chroot_remove() {
	local dir=$1
	[[ -e $dir ]] || return 0
	if chroot_mounted "$dir"; then
		kfail chroot "$dir still has mounts (an interrupted run without unshare?); unmount them: grep ' $dir' /proc/self/mounts"
	fi
	rm -rf "$dir"
}

# chroot_stale ROOT SUITE CC: print why ROOT must be rebuilt (nothing when
# it is current).
chroot_stale() {
	local root=$1 suite=$2 cc=$3 pkg have want
	[[ -f $root/.toa-ready ]] || {
		echo "not built yet"
		return 0
	}
	[[ $(<"$root/.toa-ready") == "$cc,$VMT_CHROOT_PKGS" ]] \
		|| {
			echo "package list changed to $cc,$VMT_CHROOT_PKGS"
			return 0
		}
	for pkg in libc6 "$cc"; do
		have=$(chroot_pkg_version "$root" "$pkg")
		[[ -n $have ]] || {
			echo "$pkg missing in the chroot"
			return 0
		}
		want=$(apt_newest "$pkg:$(host_arch)" "$suite")
		# A package the lists do not know (yet) is not a reason to rebuild.
		if [[ -n $want ]] && dpkg --compare-versions "$want" gt "$have"; then
			echo "$suite has $pkg $want, the chroot $have"
			return 0
		fi
	done
}

# chroot_ensure SUITE CC: make sure the chroot for SUITE with compiler CC
# exists and is current. Sets K_CHROOT and K_CHROOT_NOTE.
chroot_ensure() {
	local suite=$1 cc=$2 why mirror tmp log
	K_CHROOT=$VMT_CHROOT_DIR/$suite-$(host_arch)-$cc
	why=$(chroot_stale "$K_CHROOT" "$suite" "$cc")
	if [[ -z $why ]]; then
		touch "$K_CHROOT/.toa-ready" # its mtime is the last use, for chroot_prune
		K_CHROOT_NOTE="$suite cached"
		return 0
	fi
	command -v debootstrap >/dev/null || kfail chroot "debootstrap not installed (tests/vm/install-deps)"
	mirror=$(apt_main_mirror)
	tmp=$K_CHROOT.new
	log=$VMT_LOG_DIR/chroot-$suite-$cc.log
	say "$K_NAME" "chroot: creating $suite ($why) from $mirror"
	chroot_remove "$tmp"
	mkdir -p "$VMT_CHROOT_DIR"
	if ! debootstrap --variant=minbase --include="$cc,$VMT_CHROOT_PKGS" \
		"$suite" "$tmp" "$mirror" >"$log" 2>&1; then
		tail -n 15 "$log" | sed "s/^/[$K_NAME]   /"
		chroot_remove "$tmp"
		kfail chroot "debootstrap $suite failed; log: $log"
	fi
	# Keep the cache small: no package archives, no docs.
	rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/usr/share/{doc,man,locale}/*
	printf '%s\n' "$cc,$VMT_CHROOT_PKGS" >"$tmp/.toa-ready"
	chroot_remove "$K_CHROOT"
	mv "$tmp" "$K_CHROOT"
	K_CHROOT_NOTE="$suite created ($(du -sm "$K_CHROOT" | cut -f1) MB)"
	chroot_prune
}

# chroot_prune: a chroot whose line changed compiler (sid moving to the next
# gcc) or disappeared from kernels.list would stay forever; remove those
# unused for 30 days and leftovers of interrupted debootstraps. vm-test
# holds the cache lock, so no other run is using them.
chroot_prune() {
	local d
	for d in "$VMT_CHROOT_DIR"/*/; do
		d=${d%/}
		[[ $d != "$K_CHROOT" && -d $d ]] || continue
		if [[ ! -f $d/.toa-ready || -n $(find "$d/.toa-ready" -mtime +30) ]]; then
			say "$K_NAME" "removing unused chroot ${d##*/}"
			chroot_remove "$d"
		fi
	done
}

# The script that runs the build inside the chroot. Arguments:
#   ROOT RW-DIR RO-DIR -- COMMAND...
# RW-DIR and RO-DIR are bind-mounted at their own paths inside ROOT (so the
# absolute paths in the unpacked headers' Makefile stay valid), RO-DIR read
# only; proc is mounted (objtool reads /proc). Everything it mounts it
# unmounts on exit, whatever the exit.
# shellcheck disable=SC2016 # expanded by the inner bash
VMT_CHROOT_RUNNER='
set -euo pipefail
root=$1 rw=$2 ro=$3
shift 4
mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" || true
	done
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM HUP
mkdir -p "$root/proc" "$root$rw" "$root$ro"
mount -t proc proc "$root/proc"
mounted+=("$root/proc")
mount --bind "$rw" "$root$rw"
mounted+=("$root$rw")
mount --bind "$ro" "$root$ro"
mounted+=("$root$ro")
mount -o remount,bind,ro "$root$ro"
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C "$@"
'

# chroot_run ROOT RW-DIR RO-DIR COMMAND...: run COMMAND inside ROOT with the
# two directories bind-mounted; returns COMMAND's exit code.
chroot_run() {
	local root=$1 rw=$2 ro=$3
	shift 3
	if unshare --mount --propagation private true 2>/dev/null; then
		unshare --mount --propagation private \
			bash -c "$VMT_CHROOT_RUNNER" chroot-run "$root" "$rw" "$ro" -- "$@"
	else
		bash -c "$VMT_CHROOT_RUNNER" chroot-run "$root" "$rw" "$ro" -- "$@"
	fi
}
