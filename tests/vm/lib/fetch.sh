# shellcheck shell=bash
# Variables shared across the sourced files are set and read in different files:
# shellcheck disable=SC2034,SC2153
# Resolve, download and unpack one Debian kernel (image + headers + kbuild).
# Sourced by vm-test. Works on the K_* variables of the current kernel line.
#
# Cache layout, one directory per kernel ABI and package version:
#   $VMT_KERNELS_DIR/<arch>/<kver>_<version>/
#     root/       the headers, common headers and kbuild packages unpacked
#                 with dpkg-deb -x (usr/src/..., usr/lib/linux-kbuild-*)
#     vmlinuz     the kernel image to boot
#     tun.ko      drivers/net/tun.ko, decompressed (busybox insmod wants plain ELF)
#     .ready      written last; a directory without it is redone from scratch

# Every step either succeeds or calls kfail STEP MESSAGE, which ends the
# kernel's subshell (see run_kernel in vm-test).

# kernel_resolve: set K_VER (package version), K_KVER (e.g. 6.1.0-56-amd64)
# and K_HDRPKG from the line's metapackage in the line's suites.
kernel_resolve() {
	local deps
	K_VER=$(apt_newest "$K_META:$K_ARCH" "$K_SUITES")
	[[ -n $K_VER ]] || kfail fetch "$K_META:$K_ARCH not found in $K_SUITES"
	deps=$(apt_field "$K_META:$K_ARCH=$K_VER" Depends)
	# The metapackage depends on exactly one linux-headers-<kver> (or, for
	# linux-image-*, linux-image-<kver>): its name carries the ABI.
	if [[ $deps =~ linux-(headers|image)-([0-9][^[:space:],]*) ]]; then
		K_KVER=${BASH_REMATCH[2]%-unsigned}
	else
		kfail fetch "cannot find the kernel ABI in '$K_META $K_VER' Depends: $deps"
	fi
	K_HDRPKG=linux-headers-$K_KVER
	K_DIR=$VMT_KERNELS_DIR/$K_ARCH/${K_KVER}_$K_VER
}

# kernel_fetch: make sure $K_DIR is complete; download and unpack when not.
kernel_fetch() {
	K_HDR=$K_DIR/root/usr/src/linux-headers-$K_KVER
	K_VMLINUZ=$K_DIR/vmlinuz
	K_TUN=$K_DIR/tun.ko
	if [[ -f $K_DIR/.ready ]]; then
		touch "$K_DIR/.ready" # its mtime is the last use, for kernel_prune
		K_FETCHED=cached
		return 0
	fi

	rm -rf "$K_DIR"
	mkdir -p "$K_DIR/debs" "$K_DIR/root"
	kernel_download
	kernel_unpack
	rm -rf "$K_DIR/debs" # the image .deb alone is 70-400 MB; the unpacked parts are all we need
	touch "$K_DIR/.ready"
	K_FETCHED=downloaded
	kernel_prune
}

# kernel_prune: when the mirror moves a suite to a new ABI, the old unpacked
# kernel (~100 MB) would stay forever. Remove kernels unused for 30 days and
# leftovers of interrupted downloads. vm-test holds the cache lock.
kernel_prune() {
	local d
	for d in "$VMT_KERNELS_DIR/$K_ARCH"/*/; do
		d=${d%/}
		[[ $d != "$K_DIR" ]] || continue
		if [[ ! -f $d/.ready || -n $(find "$d/.ready" -mtime +30) ]]; then
			say "$K_NAME" "removing unused cached kernel ${d##*/}"
			rm -rf "$d"
		fi
	done
}

# kernel_download: the headers package names its companions in Depends
# (linux-headers-<x>-common, linux-kbuild-<x>); take them at the same version.
kernel_download() {
	local deps common kbuild cand
	deps=$(apt_field "$K_HDRPKG:$K_ARCH=$K_VER" Depends)
	[[ -n $deps ]] || kfail fetch "$K_HDRPKG=$K_VER not in the package lists"
	common=$(grep -oE 'linux-headers-[^ ,]+-common' <<<"$deps" | head -n1) || true
	kbuild=$(grep -oE 'linux-kbuild-[^ ,]+' <<<"$deps" | head -n1) || true
	[[ -n $common && -n $kbuild ]] || kfail fetch "unexpected Depends of $K_HDRPKG: $deps"

	# The image. sid >= 6.17 splits it: vmlinuz in linux-binary-<kver>,
	# the modules (tun.ko) in linux-modules-<kver>, and linux-image-<kver>
	# is an empty package depending on both. Before that: the signed image
	# users boot, else the unsigned build of the same kernel.
	local -a images=()
	if apt_exists "linux-binary-$K_KVER:$K_ARCH=$K_VER"; then
		apt_exists "linux-modules-$K_KVER:$K_ARCH=$K_VER" \
			|| kfail fetch "linux-binary-$K_KVER=$K_VER has no linux-modules-$K_KVER beside it"
		images=("linux-binary-$K_KVER:$K_ARCH=$K_VER" "linux-modules-$K_KVER:$K_ARCH=$K_VER")
	else
		for cand in "linux-image-$K_KVER" "linux-image-$K_KVER-unsigned"; do
			if apt_exists "$cand:$K_ARCH=$K_VER"; then
				images=("$cand:$K_ARCH=$K_VER")
				break
			fi
		done
	fi
	((${#images[@]})) || kfail fetch "no linux-image-$K_KVER at version $K_VER"

	# common is Architecture: all; the rest are per architecture, except
	# kbuild: its programs (fixdep, modpost, objtool) run on the build
	# machine, so a cross build takes the host's linux-kbuild (Multi-Arch:
	# foreign) of the same version.
	if ! (cd "$K_DIR/debs" && papt apt-get download -q \
		"$K_HDRPKG:$K_ARCH=$K_VER" "$common=$K_VER" "$kbuild:$(host_arch)=$K_VER" "${images[@]}") \
		>"$K_DIR/download.log" 2>&1; then
		kfail fetch "apt-get download failed: $(grep -E '^E: ' "$K_DIR/download.log" || true)"
	fi
}

# kernel_unpack: headers + kbuild fully (into one root, so that their
# relative symlinks scripts -> ../../lib/linux-kbuild-X/scripts resolve), and
# only vmlinuz and tun.ko from the big image package.
kernel_unpack() {
	local deb root=$K_DIR/root f target
	for deb in "$K_DIR"/debs/*.deb; do
		case ${deb##*/} in
		linux-headers-* | linux-kbuild-*) dpkg-deb -x "$deb" "$root" ;;
		*)
			# linux-binary-* holds only vmlinuz, linux-modules-* only the
			# modules, linux-image-* both.
			local -a want=()
			case ${deb##*/} in
			linux-binary-*) want=('*/vmlinuz*') ;;
			linux-modules-*) want=('*/drivers/net/tun.ko*') ;;
			*) want=('*/vmlinuz*' '*/drivers/net/tun.ko*') ;;
			esac
			dpkg-deb --fsys-tarfile "$deb" \
				| tar -x -C "$K_DIR/debs" --wildcards "${want[@]}" \
				|| kfail fetch "${want[*]} missing from ${deb##*/}"
			;;
		esac
	done
	[[ -f $K_HDR/Makefile ]] || kfail fetch "no $K_HDRPKG/Makefile after unpacking"

	# The flavour Makefile includes the common one by absolute path
	# (include /usr/src/linux-headers-X-common/Makefile); newer kernels also
	# set KBUILD_OUTPUT=/usr/src/... there. Point them into the unpack dir.
	sed -i "s|/usr/src/|$root/usr/src/|g" "$K_HDR/Makefile"
	# Absolute symlinks (lib/modules/<kver>/build etc.) would point at the
	# host; re-anchor them under the unpack dir.
	while IFS= read -r f; do
		target=$(readlink "$f")
		ln -sfn "$root$target" "$f"
	done < <(find "$root" -type l -lname '/*')
	# `make -C <headers> M=...` runs scripts/basic/fixdep and
	# scripts/mod/modpost from linux-kbuild through the scripts symlink.
	for f in scripts/basic/fixdep scripts/mod/modpost; do
		[[ -x $K_HDR/$f ]] || kfail fetch "$K_HDR/$f missing (linux-kbuild layout changed?)"
	done

	f=$(find "$K_DIR/debs" -name "vmlinuz*" -type f | head -n1)
	[[ -n $f ]] || kfail fetch "no vmlinuz in the image package"
	mv "$f" "$K_VMLINUZ"
	f=$(find "$K_DIR/debs" -name 'tun.ko*' -type f | head -n1)
	[[ -n $f ]] || kfail fetch "no tun.ko in the image package"
	case $f in
	*.ko) mv "$f" "$K_TUN" ;;
	*.ko.xz) xz -dc "$f" >"$K_TUN" ;;
	*.ko.zst) zstd -q -dc "$f" >"$K_TUN" ;;
	*.ko.gz) gzip -dc "$f" >"$K_TUN" ;;
	*) kfail fetch "unknown module compression: ${f##*/}" ;;
	esac
	# The VM loads only tun.ko; if it ever grows a dependency we must know.
	if [[ -n $(modinfo -F depends "$K_TUN") ]]; then
		kfail fetch "tun.ko depends on $(modinfo -F depends "$K_TUN"); the initramfs does not carry that"
	fi
}
