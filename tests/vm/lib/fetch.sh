# shellcheck shell=bash
# Variables shared across the sourced files are set and read in different files:
# shellcheck disable=SC2034,SC2153
# Resolve, download and unpack one Debian kernel (image + headers + kbuild):
# the one way the harness gets a kernel, for vm-test and for the booted
# disk image of tests/vm/image.sh. Sourced. Works on the K_* variables of
# the current kernel line (lib/kernels.sh: kernel_line).
#
# Cache layout, one directory per kernel ABI and package version:
#   $VMT_KERNELS_DIR/<arch>/<kver>_<version>/
#     root/       the headers, common headers and kbuild packages unpacked
#                 with dpkg-deb -x (usr/src/..., usr/lib/linux-kbuild-*)
#     vmlinuz     the kernel image to boot
#     modules/lib/modules/<kver>/
#                 the modules of $VMT_KEEP_MODULES and every module they
#                 depend on, decompressed (busybox insmod wants plain ELF),
#                 at their paths in the image package, with its
#                 modules.order and modules.builtin*, and the modules.dep
#                 (etc.) depmod made for them (kernel_module_order)
#     tun.ko      a hard link to tun.ko in modules/ (what vm-test loads)
#     .ready      $VMT_KERNEL_LAYOUT, written last; a directory without it
#                 (or from an older layout) is redone from scratch

# Every step either succeeds or calls kfail STEP MESSAGE, which ends the
# kernel's subshell (see run_kernel in vm-test).

# The modules kept from the image: tun for vm-test's initramfs (a kernel
# without it fails the fetch); the disk, file system and network drivers
# for the disk image's initramfs and root (tests/vm/image.sh), when the
# kernel has them (7.2 has no crc32c_generic any more). A module built into
# the kernel needs nothing.
VMT_NEED_MODULES="tun"
VMT_KEEP_MODULES="tun virtio_pci virtio_blk ext4 crc32c_generic virtio_net"
VMT_KERNEL_LAYOUT="layout 2: root vmlinuz modules tun.ko; keep $VMT_KEEP_MODULES"

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

# kernel_paths: K_HDR, K_VMLINUZ, K_MODULES (the base directory of the
# kept modules, for depmod -b / modprobe -d) and K_TUN in $K_DIR.
kernel_paths() {
	K_HDR=$K_DIR/root/usr/src/linux-headers-$K_KVER
	K_VMLINUZ=$K_DIR/vmlinuz
	K_MODULES=$K_DIR/modules
	K_TUN=$K_DIR/tun.ko
}

# kernel_fetch: make sure $K_DIR is complete; download and unpack when not.
kernel_fetch() {
	kernel_paths
	if [[ -f $K_DIR/.ready && $(<"$K_DIR/.ready") == "$VMT_KERNEL_LAYOUT" ]]; then
		touch "$K_DIR/.ready" # its mtime is the last use, for kernel_prune
		K_FETCHED=cached
		return 0
	fi

	rm -rf "$K_DIR"
	mkdir -p "$K_DIR/debs" "$K_DIR/root"
	kernel_download
	kernel_unpack
	rm -rf "$K_DIR/debs" # the image .deb alone is 70-400 MB; the unpacked parts are all we need
	echo "$VMT_KERNEL_LAYOUT" >"$K_DIR/.ready"
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
	common=$(grep -oE 'linux-headers-[^ ,]+-common(-rt)?' <<<"$deps" | head -n1) || true
	kbuild=$(grep -oE 'linux-kbuild-[^ ,]+' <<<"$deps" | head -n1) || true
	[[ -n $common && -n $kbuild ]] || kfail fetch "unexpected Depends of $K_HDRPKG: $deps"

	# The image. sid >= 6.17 splits it: vmlinuz in linux-binary-<kver>,
	# the modules (tun.ko) in linux-modules-<kver>, their index files
	# (modules.builtin, modules.order) in linux-base-<kver>, and
	# linux-image-<kver> is an empty package depending on them. Before
	# that: the signed image users boot, else the unsigned build of the
	# same kernel.
	local -a images=()
	if apt_exists "linux-binary-$K_KVER:$K_ARCH=$K_VER"; then
		for cand in modules base; do
			apt_exists "linux-$cand-$K_KVER:$K_ARCH=$K_VER" \
				|| kfail fetch "linux-binary-$K_KVER=$K_VER has no linux-$cand-$K_KVER beside it"
			images+=("linux-$cand-$K_KVER:$K_ARCH=$K_VER")
		done
		images+=("linux-binary-$K_KVER:$K_ARCH=$K_VER")
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
# only vmlinuz and the modules from the big image package.
kernel_unpack() {
	local deb root=$K_DIR/root f target
	for deb in "$K_DIR"/debs/*.deb; do
		case ${deb##*/} in
		linux-headers-* | linux-kbuild-*) dpkg-deb -x "$deb" "$root" ;;
		*)
			# linux-binary-* holds only vmlinuz, linux-modules-* only the
			# modules, linux-base-* their index files, linux-image-* all
			# of it. All the modules go to a scratch tree (debs/x, 400 MB
			# for bookworm): depmod needs them all to tell which ones
			# $VMT_KEEP_MODULES depend on.
			local -a want=()
			case ${deb##*/} in
			linux-binary-*) want=('*/vmlinuz*') ;;
			linux-modules-* | linux-base-*) want=("*/modules/$K_KVER/*") ;;
			*) want=('*/vmlinuz*' "*/modules/$K_KVER/*") ;;
			esac
			mkdir -p "$K_DIR/debs/x"
			dpkg-deb --fsys-tarfile "$deb" \
				| tar -x -C "$K_DIR/debs/x" --wildcards "${want[@]}" \
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

	f=$(find "$K_DIR/debs/x" -name "vmlinuz*" -type f -print -quit)
	[[ -n $f ]] || kfail fetch "no vmlinuz in the image package"
	mv "$f" "$K_VMLINUZ"
	kernel_keep_modules
	# The VM loads only tun.ko; if it ever grows a dependency we must know.
	[[ -f $K_TUN ]] || kfail fetch "no tun.ko in the image package (built in?)"
	if [[ -n $(modinfo -F depends "$K_TUN") ]]; then
		kfail fetch "tun.ko depends on $(modinfo -F depends "$K_TUN"); the initramfs does not carry that"
	fi
}

# kernel_keep_modules: from the scratch tree of the image's modules, keep
# $VMT_KEEP_MODULES and their dependencies in $K_MODULES, decompressed, and
# index them with depmod.
kernel_keep_modules() {
	local tree base m line path rel keep
	# lib/modules/<kver> up to bookworm, usr/lib/modules/<kver> after the
	# /usr merge.
	tree=$(find "$K_DIR/debs/x" -type d -path "*/lib/modules/$K_KVER" -print -quit)
	[[ -n $tree ]] || kfail fetch "no lib/modules/$K_KVER in the image package"
	base=${tree%/lib/modules/"$K_KVER"}
	# Without it modprobe takes a built-in module for a missing one.
	[[ -f $tree/modules.builtin ]] || kfail fetch "no modules.builtin in the image packages (split differently again?)"
	depmod -b "$base" "$K_KVER" || kfail fetch "depmod failed on the image's modules"
	keep=$K_MODULES/lib/modules/$K_KVER
	mkdir -p "$keep"
	for m in $VMT_KEEP_MODULES; do
		# "insmod PATH" per module to load, dependencies first; "builtin
		# NAME" for one built into the kernel.
		if ! line=$(modprobe -d "$base" -S "$K_KVER" --show-depends "$m" 2>&1); then
			[[ " $VMT_NEED_MODULES " != *" $m "* ]] \
				|| kfail fetch "module $m: neither a module nor built into $K_KVER ($line)"
			say "$K_NAME" "fetch: no module $m in $K_KVER, none kept"
			continue
		fi
		while read -r _ path; do
			[[ $path == /* ]] || continue
			rel=${path#"$tree"/}
			mkdir -p "$keep/${rel%/*}"
			case $rel in
			*.ko) cp "$path" "$keep/$rel" ;;
			*.ko.xz) xz -dc "$path" >"$keep/${rel%.xz}" ;;
			*.ko.zst) zstd -q -dc "$path" >"$keep/${rel%.zst}" ;;
			*.ko.gz) gzip -dc "$path" >"$keep/${rel%.gz}" ;;
			*) kfail fetch "unknown module compression: ${rel##*/}" ;;
			esac
		done <<<"$line"
	done
	for m in modules.order modules.builtin modules.builtin.modinfo; do
		[[ ! -f $tree/$m ]] || cp "$tree/$m" "$keep/"
	done
	depmod -b "$K_MODULES" "$K_KVER" || kfail fetch "depmod failed on the kept modules"
	path=$(find "$keep" -name tun.ko -print -quit)
	[[ -z $path ]] || ln -f "$path" "$K_TUN"
}

# kernel_module_order DIR KVER MODULE...: the modules to insmod, dependencies
# first, as paths relative to DIR/lib/modules/KVER (DIR: a kernel's
# K_MODULES, or a root file system holding them); built-in ones are left
# out.
kernel_module_order() {
	local dir=$1 kver=$2 m out
	shift 2
	for m in "$@"; do
		out=$(modprobe -d "$dir" -S "$kver" --show-depends "$m") || return 1
		awk -v t="$dir/lib/modules/$kver/" '$1 == "insmod" { p = $2; if (index(p, t) == 1) p = substr(p, length(t) + 1); print p }' <<<"$out"
	done | awk '!seen[$0]++'
}
