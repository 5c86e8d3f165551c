# shellcheck shell=bash disable=SC2016,SC2154,SC2034
# The Debian system the packaging tests boot (sourced by vm-boot and
# ansible-vm, not run): a Debian kernel's vmlinuz and the modules the VM needs,
# a debootstrapped bookworm root file system with dkms, gcc, the kernel's
# headers, sshd and python3 (cached), the system settings every boot uses,
# and a busybox initramfs that mounts /dev/vda and switches to it.
#
# Cache (${TOA_CACHE:-/var/cache/toa-dkms}/boot-image/):
#   base/        bookworm minbase + systemd, udev, dkms, gcc, headers, sshd,
#                python3, the kernel's modules the VM needs, the packages'
#                dependencies; redone when base/.toa-key (the recipe) differs
#   kernel-<kver>/  vmlinuz, the modules taken from linux-image-<kver>
# Knobs: TOA_VMBOOT_TIMEOUT (seconds a boot may take, default 600),
#        TOA_VM_MEM (MiB, 1024), TOA_VM_SMP (2).

VMBOOT_CACHE=${TOA_CACHE:-/var/cache/toa-dkms}/boot-image
VMBOOT_TIMEOUT=${TOA_VMBOOT_TIMEOUT:-600}
VMBOOT_MEM=${TOA_VM_MEM:-1024}
VMBOOT_SMP=${TOA_VM_SMP:-2}
# Bump when the way base/ is made changes (the cache key includes it).
VMBOOT_RECIPE=3
# What the booted system needs besides minbase (the kernel headers and the
# packages' own dependencies are added at run time); the servers and the
# network tools of tests/servers/guest.sh.
VMBOOT_PACKAGES="systemd-sysv udev kmod dkms gcc-12 make iproute2 openssh-server python3 python3-apt"
VMBOOT_PACKAGES+=" nginx haproxy busybox nftables ipvsadm"
# The modules the initramfs loads to mount the root disk (their dependencies
# are added by modprobe --show-depends), and the ones the booted system needs
# on disk besides those (tun: toa-check selftest; virtio_net: ansible-vm's
# network; the rest: tests/servers/guest.sh's container, its bridge, DNAT,
# masquerade and IPVS).
VMBOOT_INITRD_MODULES="virtio_pci virtio_blk ext4 crc32c_generic"
VMBOOT_ROOT_MODULES="tun virtio_net veth bridge nft_chain_nat nft_nat nft_masq ip_vs ip_vs_rr"

# vmb_log: the log of this section's steps (every command's output).
vmb_log() { echo "$LOGDIR/vm-boot.log"; }

# vmb_step FUNC ARGS...: run one of the functions below in a fresh
# `bash -euo pipefail` (so that any failing command inside ends the step,
# which `if`/`||` around a function call would not do), output appended to
# the log; on failure print the log's last lines and return 1.
vmb_step() {
	local log
	log=$(vmb_log)
	if ! bash -euo pipefail -c "$(declare -f); $(declare -p "${!VMBOOT_@}"); \"\$@\"" vmb-step "$@" >>"$log" 2>&1; then
		tail -n 5 "$log"
		return 1
	fi
}

# vmb_rmtree DIR: remove a root file system tree, refusing while anything is
# mounted below it (an interrupted chroot step leaves /proc and /dev bound
# there, and rm would walk into the host's /dev).
vmb_rmtree() {
	local dir=$1
	[ -e "$dir" ] || return 0
	if findmnt -rno TARGET | grep -q "^$dir/"; then
		echo "vm-boot: mounts left below $dir (umount them first): $(findmnt -rno TARGET | grep "^$dir/" | tr '\n' ' ')" >&2
		return 1
	fi
	rm -rf --one-file-system "$dir"
}

vmb_chroot() {
	local root=$1
	shift
	LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$root" "$@"
}

# vmb_with_proc ROOT CMD...: run CMD with /proc (and /dev) of ROOT mounted
# (dkms's build runs objtool, which reads /proc); unmounted again afterwards.
vmb_with_proc() {
	local root=$1 rc=0
	shift
	mount -t proc proc "$root/proc"
	mount --bind /dev "$root/dev"
	mount --bind /dev/pts "$root/dev/pts"
	# shellcheck disable=SC2064
	trap "umount -l '$root/dev/pts' '$root/dev' '$root/proc' 2>/dev/null" EXIT INT TERM
	"$@" || rc=$?
	umount "$root/dev/pts" "$root/dev" "$root/proc"
	trap - EXIT INT TERM
	return "$rc"
}

# vmb_mirrors: the machine's own apt sources (deb822 and one-line), copied
# into the image so that it sees the same suites (bookworm-security carries
# the current kernel ABI).
vmb_copy_sources() {
	local root=$1 f
	rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		cp "$f" "$root$f"
	done
}

vmb_main_mirror() {
	local uri
	uri=$(sed -n -E 's/^URIs:[[:space:]]*([^[:space:]]+).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null \
		| grep -v security | head -n1 || true)
	[ -n "$uri" ] || uri=$(sed -n -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | head -n1 || true)
	echo "${uri:-http://deb.debian.org/debian}"
}

# vmb_deb_depends DEB...: the package names the debs depend on (first
# alternative, no versions), except each other.
vmb_deb_depends() {
	local deb
	for deb in "$@"; do
		dpkg-deb -f "$deb" Depends
		echo
	done | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/[[:space:]]//g' \
		| grep -v -E '^$|^toa-' | sort -u | tr '\n' ' '
}

# --- the kernel: vmlinuz + the modules the VM needs -------------------------------
# vmb_kernel KVER DIR: DIR/vmlinuz, DIR/modules/<tree under /lib/modules/KVER>,
# DIR/initrd.order (module paths relative to that tree, in insmod order).
vmb_kernel() {
	local kver=$1 dir=$2 tree m f
	# global: the EXIT trap runs after this function has returned
	vmb_tmp=""
	[ "$(cat "$dir/.ready" 2>/dev/null)" = "$VMBOOT_INITRD_MODULES / $VMBOOT_ROOT_MODULES" ] && return 0
	rm -rf "$dir"
	mkdir -p "$dir/modules"
	vmb_tmp=$(mktemp -d "$VMBOOT_CACHE/tmp.XXXXXX")
	# vmb_step runs this in its own bash: the trap cleans up on any failure.
	trap 'rm -rf "$vmb_tmp"' EXIT
	(cd "$vmb_tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$kver")
	dpkg-deb -x "$vmb_tmp"/linux-image-*.deb "$vmb_tmp/x"
	cp "$vmb_tmp/x/boot/vmlinuz-$kver" "$dir/vmlinuz"
	tree=$vmb_tmp/x/lib/modules/$kver
	depmod -b "$vmb_tmp/x" "$kver"
	# "insmod /lib/modules/<kver>/kernel/...ko" lines, dependencies first
	# (modprobe takes one module name; further words are its parameters).
	for m in $VMBOOT_INITRD_MODULES; do
		modprobe -d "$vmb_tmp/x" -S "$kver" --show-depends "$m"
	done | awk '$1 == "insmod" {print $2}' | sed "s|^$vmb_tmp/x/lib/modules/$kver/||" \
		| awk '!seen[$0]++' >"$dir/initrd.order"
	for m in $VMBOOT_INITRD_MODULES; do
		grep -q "/${m//_/[_-]}\.ko" "$dir/initrd.order" || {
			echo "module $m not resolved" >&2
			return 1
		}
	done
	{
		cat "$dir/initrd.order"
		for m in $VMBOOT_ROOT_MODULES; do
			modprobe -d "$vmb_tmp/x" -S "$kver" --show-depends "$m"
		done | awk '$1 == "insmod" {print $2}' | sed "s|^$vmb_tmp/x/lib/modules/$kver/||"
	} | sort -u >"$dir/root.list"
	while IFS= read -r m; do
		case $m in *.ko) ;; *)
			echo "compressed module $m: not handled" >&2
			return 1
			;;
		esac
		mkdir -p "$dir/modules/$(dirname "$m")"
		cp "$tree/$m" "$dir/modules/$m"
	done <"$dir/root.list"
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$tree/$f" ] && cp "$tree/$f" "$dir/modules/"
	done
	echo "$VMBOOT_INITRD_MODULES / $VMBOOT_ROOT_MODULES" >"$dir/.ready"
}

# --- the base root file system ------------------------------------------------------
# vmb_base KVER KEY PACKAGES: debootstrap + apt-get install into base/ unless
# base/.toa-key already says KEY.
vmb_base() {
	local kver=$1 key=$2 pkgs=$3 base=$VMBOOT_CACHE/base new=$VMBOOT_CACHE/base.new
	if [ "${VMBOOT_REBUILD:-0}" != 1 ] && [ "$(cat "$base/.toa-key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	vmb_rmtree "$new"
	debootstrap --variant=minbase --include=ca-certificates bookworm "$new" "$(vmb_main_mirror)"
	vmb_copy_sources "$new"
	printf 'Acquire::Languages "none";\nAPT::Install-Recommends "false";\n' >"$new/etc/apt/apt.conf.d/90toa-vm"
	# No service may start in the chroot (nginx would bind the host's port 80).
	printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
	chmod 0755 "$new/usr/sbin/policy-rc.d"
	# shellcheck disable=SC2086
	vmb_with_proc "$new" bash -c '
		set -e
		LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$1" apt-get update -q
		LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$1" apt-get install -y -q --no-install-recommends $2
		LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$1" apt-get clean
	' _ "$new" "$pkgs"
	rm -f "$new/usr/sbin/policy-rc.d"
	# The link is absolute: resolve it inside the image, not on this host.
	chroot "$new" test -e "/lib/modules/$kver/build" || {
		echo "no /lib/modules/$kver/build in the image" >&2
		return 1
	}
	# The kernel's own modules (initramfs set + tun), indexed by depmod
	# together with toa later.
	cp -a "$VMBOOT_CACHE/kernel-$kver/modules/." "$new/lib/modules/$kver/"
	echo "$key" >"$new/.toa-key"
	vmb_rmtree "$base"
	mv "$new" "$base"
}

# vmb_configure_system ROOT: root on /dev/vda, volatile journal, no login
# prompts, no timers. Done on each run's copy of base, so that changing it
# does not mean a new debootstrap.
vmb_configure_system() {
	local root=$1 u
	echo toa-vm >"$root/etc/hostname"
	printf '/dev/vda / ext4 rw 0 0\n' >"$root/etc/fstab"
	mkdir -p "$root/etc/systemd/journald.conf.d"
	printf '[Journal]\nStorage=volatile\n' >"$root/etc/systemd/journald.conf.d/toa-vm.conf"
	for u in serial-getty@ttyS0.service serial-getty@ttyS1.service getty@tty1.service getty-static.service apt-daily.timer apt-daily-upgrade.timer \
		e2scrub_all.timer fstrim.timer dpkg-db-backup.timer systemd-timesyncd.service \
		nginx.service haproxy.service nftables.service ipvsadm.service; do
		ln -sfn /dev/null "$root/etc/systemd/system/$u"
	done
}

# vmb_base_key KVER PACKAGES: the cache key of base/ for this kernel and
# package list.
vmb_base_key() {
	printf 'recipe %s\nkernel %s %s\npackages %s\nmirror %s\n' "$VMBOOT_RECIPE" "$1" \
		"$(tr '\n' ' ' <"$VMBOOT_CACHE/kernel-$1/root.list")" \
		"$(tr ' ' '\n' <<<"$2" | grep -v '^$' | sort -u | tr '\n' ' ')" "$(vmb_main_mirror)" | sha256sum | cut -c1-16
}

# vmb_headers_pkg: the kernel headers package linux-headers-<arch> depends on
# (the kernel every boot uses).
vmb_headers_pkg() {
	apt-cache depends "linux-headers-$ARCH" 2>/dev/null \
		| sed -n -E "s/^ *Depends: (linux-headers-[^ ]+-$ARCH)\$/\1/p" | head -n1
}

# --- initramfs: busybox, the disk modules, mount /dev/vda, switch_root ---------------
vmb_initrd() {
	local kdir=$1 out=$2 root m busybox
	root=$(dirname "$out")/initramfs
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,newroot,lib/modules}
	busybox=$(command -v busybox)
	# ldd fails on a static executable: the initramfs has no libraries.
	if ldd "$busybox" >/dev/null 2>&1; then
		echo "$busybox is not static (install busybox-static)" >&2
		return 1
	fi
	cp "$busybox" "$root/bin/busybox"
	for m in sh mount umount insmod sleep switch_root poweroff cat echo mkdir; do
		ln -s busybox "$root/bin/$m"
	done
	: >"$root/modules.order"
	while IFS= read -r m; do
		cp "$kdir/modules/$m" "$root/lib/modules/${m##*/}"
		echo "${m##*/}" >>"$root/modules.order"
	done <"$kdir/initrd.order"
	cat >"$root/init" <<'EOF'
#!/bin/sh
fail() { echo "TOA-INITRD FAIL: $*"; poweroff -f; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.order); do
	insmod "/lib/modules/$m" || fail "insmod $m"
done
i=0
while [ ! -b /dev/vda ]; do
	i=$((i + 1)); [ "$i" -le 300 ] || fail "no /dev/vda"
	sleep 0.1
done
mount -t ext4 -o rw /dev/vda /newroot || fail "mount /dev/vda"
umount /proc /sys
mount --move /dev /newroot/dev || fail "move /dev"
exec switch_root /newroot /sbin/init
EOF
	chmod 0755 "$root/init"
	mknod -m 0600 "$root/dev/console" c 5 1
	(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out"
}
