# shellcheck shell=bash
# Variables shared across the sourced files are set and read in different files:
# shellcheck disable=SC2034,SC2153
# Assemble the initramfs for one kernel. Sourced by vm-test.
#
# Contents:
#   /init                   lib/init.sh
#   /bin/busybox + applet symlinks
#   /bin/<every executable the test program Makefile produced>
#   /bin/<each of $TOA_VM_EXTRA_BINS> plus the shared libraries ldd lists,
#                           at the same paths (loader included)
#   /lib/modules/toa.ko, /lib/modules/tun.ko, /lib/modules/toa_ksock.ko
#   /dev/console            so the kernel has a console for PID 1

# copy_exe FILE ROOT: put FILE into ROOT/bin and, when it is dynamically
# linked, every library ldd resolves for it at its host path.
copy_exe() {
	local exe=$1 root=$2 line lib
	[[ -f $exe && -x $exe ]] || kfail initramfs "not an executable file: $exe"
	if [[ $K_ARCH != "$(host_arch)" ]]; then
		# A foreign VM gets static executables of its own architecture only.
		local why
		why=$(elf_problem "$exe" "$K_ARCH")
		[[ -z $why ]] || kfail initramfs "$exe: $why"
		cp -L "$exe" "$root/bin/${exe##*/}"
		return 0
	fi
	cp -L "$exe" "$root/bin/${exe##*/}"
	# ldd fails ("not a dynamic executable") for static binaries: nothing to add.
	local out
	out=$(ldd "$exe" 2>&1) || return 0
	if grep -q 'not found' <<<"$out"; then
		kfail initramfs "$exe: missing shared libraries: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
	fi
	while IFS= read -r line; do
		# "libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1 (0x...)" or
		# "/lib64/ld-linux-x86-64.so.2 (0x...)"; linux-vdso has no path.
		lib=''
		if [[ $line =~ =\>[[:space:]]*(/[^[:space:]]+) ]]; then
			lib=${BASH_REMATCH[1]}
		elif [[ $line =~ ^[[:space:]]*(/[^[:space:]]+) ]]; then
			lib=${BASH_REMATCH[1]}
		fi
		[[ -n $lib ]] || continue
		mkdir -p "$root${lib%/*}"
		cp -L "$lib" "$root$lib"
	done <<<"$out"
}

# busybox_fetch ARCH: busybox-static of another architecture, downloaded
# with the private apt configuration (candidate version: the host's
# release) and cached per version. Sets busybox (the caller's local).
busybox_fetch() {
	local arch=$1 ver dir deb
	ver=$(papt apt-cache policy "busybox-static:$arch" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
	[[ -n $ver && $ver != '(none)' ]] || kfail initramfs "busybox-static:$arch not in the package lists"
	dir=$TOA_CACHE/busybox/$arch/${ver//:/%}
	busybox=$dir/busybox-$arch
	[[ -x $busybox ]] && return 0
	rm -rf "$dir"
	mkdir -p "$dir/deb"
	if ! (cd "$dir/deb" && papt apt-get download -q "busybox-static:$arch=$ver") >"$dir/download.log" 2>&1; then
		kfail initramfs "apt-get download busybox-static:$arch=$ver failed: $(grep -E '^E: ' "$dir/download.log" || true)"
	fi
	deb=$(echo "$dir"/deb/busybox-static_*.deb)
	dpkg-deb -x "$deb" "$dir/root"
	# /bin/busybox up to bookworm, /usr/bin/busybox after the /usr merge.
	deb=$dir/root/bin/busybox
	[[ -f $deb ]] || deb=$dir/root/usr/bin/busybox
	[[ -f $deb ]] || kfail initramfs "no /bin/busybox or /usr/bin/busybox in busybox-static:$arch=$ver"
	mv "$deb" "$busybox.tmp"
	rm -rf "$dir/deb" "$dir/root"
	mv "$busybox.tmp" "$busybox"
}

# initramfs_build: writes $K_WORK/initramfs.cpio.gz (K_INITRD).
initramfs_build() {
	local root=$K_WORK/initramfs exe applet busybox host_busybox
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,lib/modules,usr}
	ln -s bin "$root/sbin"
	ln -s ../bin "$root/usr/bin"
	ln -s ../bin "$root/usr/sbin"

	host_busybox=$(command -v busybox) || kfail initramfs "busybox not installed (tests/vm/install-deps)"
	busybox=$host_busybox
	[[ $K_ARCH == "$(host_arch)" ]] || busybox_fetch "$K_ARCH"
	copy_exe "$busybox" "$root"
	[[ ${busybox##*/} == busybox ]] || mv "$root/bin/${busybox##*/}" "$root/bin/busybox"
	# Test programs first, then the applet links that do not clash with them.
	for exe in "$PROG_OUT"/*; do
		[[ -f $exe && -x $exe ]] || continue
		copy_exe "$exe" "$root"
	done
	# TOA_VM_EXTRA_BINS_<arch> / TOA_VM_RUN_<arch>, when set (even empty),
	# replace the general ones for kernels of that architecture: an amd64
	# helper cannot go into an arm64 VM.
	local extra_var=TOA_VM_EXTRA_BINS_$K_ARCH run_var=TOA_VM_RUN_$K_ARCH extra=$VMT_EXTRA_BINS run=$VMT_RUN
	[[ -z ${!extra_var+set} ]] || extra=${!extra_var}
	[[ -z ${!run_var+set} ]] || run=${!run_var}
	for exe in $extra; do
		copy_exe "$exe" "$root"
	done
	while IFS= read -r applet; do
		[[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
		# The applet list of the host's busybox: a foreign one cannot run here,
		# and Debian configures busybox-static alike on every architecture.
	done < <("$host_busybox" --list)

	install -m 0755 "$VMT_LIB/init.sh" "$root/init"
	mkdir -p "$root/etc"
	printf '%s\n' "$run" >"$root/etc/vm-run"
	cp "$K_KO" "$root/lib/modules/toa.ko"
	[[ -z ${K_KSOCK:-} ]] || cp "$K_KSOCK" "$root/lib/modules/toa_ksock.ko"
	cp "$K_TUN" "$root/lib/modules/tun.ko"
	# Without /dev/console in the initramfs the kernel starts PID 1 with no
	# stdio (init.sh re-opens it after mounting devtmpfs, but early errors
	# would be lost).
	mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null \
		|| say "$K_NAME" "note: cannot mknod /dev/console (not root?); init.sh reopens it"

	K_INITRD=$K_WORK/initramfs.cpio.gz
	cpio_pack "$root" "$K_INITRD"
}
