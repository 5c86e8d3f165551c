# shellcheck shell=bash disable=SC2016,SC2154
# Sourced by tests/packaging/run: the Debian packages on this machine, with the
# real dkms: install with headers for kernel A, install headers of kernel B
# (dkms's header hook builds toa for it), upgrade to NEXT, purge.

# Kernel A: what linux-headers-<arch> depends on. Kernel B: another ABI of the
# suite (the newest one that is not A), or $TOA_TEST_SECOND_HEADERS.
A_PKG=$(apt-cache depends "linux-headers-$ARCH" 2>/dev/null \
	| sed -n -E "s/^ *Depends: (linux-headers-[^ ]+-$ARCH)\$/\1/p" | head -n1)
B_PKG=${TOA_TEST_SECOND_HEADERS:-$(apt-cache search --names-only "^linux-headers-[0-9.]+-[0-9]+-$ARCH\$" 2>/dev/null \
	| awk '{print $1}' | grep -vx "$A_PKG" | sort -V | tail -n1)}
KA=$(kver_of "$A_PKG")
KB=$(kver_of "$B_PKG")
echo "     (kernel A: $KA, kernel B: $KB, running: $(uname -r))"
check "deb: two kernel header packages found in the apt sources" test -n "$A_PKG" -a -n "$B_PKG"

toa_clean_slate
t0=$(date +%s)
check "deb: headers of kernel A ($A_PKG) installed" apt_quiet install --no-install-recommends "$A_PKG"
if dpkg-query -W -f='${Status}' "$B_PKG" 2>/dev/null | grep -q 'ok installed'; then
	apt_quiet purge "$B_PKG" >/dev/null 2>&1 || true
fi
# depmod leaves index files behind in /lib/modules/<kver>; an old run's
# leftovers must not count as an installed kernel.
[ -e "/lib/modules/$KB/build" ] || [ -e "/lib/modules/$KB/kernel" ] || rm -rf "/lib/modules/${KB:?}"
check "deb: kernel B ($KB) has no headers before the test" test ! -e "/lib/modules/$KB/build"

# --- install --------------------------------------------------------------------
t1=$(date +%s)
install_log=$LOGDIR/deb-install.log
check_logged "deb: apt-get install toa-dkms + toa-check $VERSION succeeds (running kernel without module support)" "$install_log" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -o Dpkg::Use-Pty=0 "$DKMS_DEB" "$CHECK_DEB"
t2=$(date +%s)
install_out=$(cat "$install_log")
check_match "deb: install output points to toa-check" "$install_out" "run 'toa-check doctor'"
# The postinst never modprobes in a chroot or container (CI runs in one).
if systemd-detect-virt --quiet --container 2>/dev/null || systemd-detect-virt --quiet --chroot 2>/dev/null; then
	check_match "deb: install output says it loads nothing here, a container ($(systemd-detect-virt 2>/dev/null || echo chroot))" \
		"$install_out" "toa-dkms: in a chroot or container: the module is not loaded now"
else
	check_match "deb: install output explains the running kernel" "$install_out" "toa-dkms: .*running kernel $(uname -r)"
fi
check_nomatch "deb: dkms prints no warning or deprecation notice" "$install_out" '[Dd]eprecat|[Ww]arning'
status=$(dkms status -m toa 2>&1)
check_match "deb: dkms status: toa/$VERSION installed for kernel A ($KA)" "$status" "^toa/$VERSION, $KA, [^:]+: installed"
ko_a=/lib/modules/$KA/updates/dkms/toa.ko
check_eq "deb: vermagic of $ko_a is kernel A" "$KA" "$(modinfo -F vermagic "$ko_a" 2>/dev/null | awk '{print $1}')"
check_eq "version: MODULE_VERSION of the dkms-built toa.ko" "$VERSION" "$(modinfo -F version "$ko_a" 2>/dev/null)"
check_nomatch "deb: nothing built for kernel B yet" "$status" ", $KB,"
check "deb: /usr/lib/modules-load.d/toa.conf installed" grep -qx toa /usr/lib/modules-load.d/toa.conf
check "deb: /usr/sbin/toa-check installed" test -x /usr/sbin/toa-check

# A kernel without what toa needs: module/Kbuild stops with one line (dkms
# 2.8 knows no BUILD_EXCLUSIVE_CONFIG). Kernel A's headers as a symlink copy
# whose auto.conf lacks CONFIG_KRETPROBES; the installed DKMS source.
nokp=$LOGDIR/headers-without-kretprobes
kdir_a=$(readlink -f "/lib/modules/$KA/build")
rm -rf "$nokp"
mkdir -p "$nokp/headers" "$nokp/src"
cp -rs "$kdir_a/." "$nokp/headers/"
rm -f "$nokp/headers/include/config/auto.conf"
grep -v '^CONFIG_KRETPROBES=' "$kdir_a/include/config/auto.conf" >"$nokp/headers/include/config/auto.conf" || true
cp -a "/usr/src/toa-$VERSION/." "$nokp/src/"
nokp_rc=0
nokp_out=$(make -C "$nokp/src/module" KDIR="$nokp/headers" 2>&1) || nokp_rc=$?
check_match "deb: for a kernel configured without CONFIG_KRETPROBES the build stops with one line saying so" \
	"$nokp_out" "Kbuild:[0-9]+: \*\*\* toa: kernel $KA is configured without CONFIG_KRETPROBES, which toa needs: not built for it"
check_eq "deb: ... and make exits non-zero, with no toa.ko" "1 no" \
	"$((nokp_rc != 0)) $(if [ -e "$nokp/src/module/toa.ko" ]; then echo yes; else echo no; fi)"
check "deb: ... while make clean (dkms runs it before each build) still works there" \
	make -s -C "$nokp/src/module" KDIR="$nokp/headers" clean
rm -rf "$nokp"

# --- kernel update: headers of kernel B -------------------------------------------
t3=$(date +%s)
check "deb: headers of kernel B ($B_PKG) installed" apt_quiet install --no-install-recommends "$B_PKG"
t4=$(date +%s)
status=$(dkms status -m toa 2>&1)
check_match "deb: header hook built toa/$VERSION for kernel B ($KB)" "$status" "^toa/$VERSION, $KB, [^:]+: installed"
check_eq "deb: vermagic of kernel B's toa.ko is kernel B" "$KB" \
	"$(modinfo -F vermagic "/lib/modules/$KB/updates/dkms/toa.ko" 2>/dev/null | awk '{print $1}')"

# --- upgrade to NEXT ------------------------------------------------------------
check_logged "deb: apt-get install of toa-dkms $NEXT (upgrade) succeeds" "$LOGDIR/deb-upgrade.log" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -o Dpkg::Use-Pty=0 "$NEXT_DKMS_DEB"
t5=$(date +%s)
check_upgraded deb "$VERSION" "$NEXT" "$KA" "$KB"

# --- purge ----------------------------------------------------------------------
pkg_files=$(dpkg -L toa-dkms toa-check 2>/dev/null | sort -u)
check "deb: apt-get purge toa-dkms toa-check succeeds" apt_quiet purge toa-dkms toa-check
t6=$(date +%s)
left=""
while IFS= read -r f; do
	# directories shared with other packages stay; files must go
	if [ -n "$f" ] && [ -e "$f" ] && [ ! -d "$f" ]; then left="$left $f"; fi
done <<<"$pkg_files"
check_eq "deb: purge left no file of the packages" "" "$left"
check "deb: purge left no /var/lib/dkms/toa" test ! -e /var/lib/dkms/toa
check "deb: purge left no /usr/src/toa-*" bash -c '! compgen -G "/usr/src/toa-*" >/dev/null'
check "deb: purge left no toa.ko in /lib/modules" bash -c '[ -z "$(find /lib/modules -name "toa.ko*" 2>/dev/null)" ]'
check_eq "deb: dkms status lists no toa" "" "$(dkms status -m toa 2>/dev/null)"

# Kernel B's headers go again (kernel A's stay for the RPM test and the next run).
apt_quiet purge "$B_PKG" >/dev/null 2>&1 || true
[ -e "/lib/modules/$KB/build" ] || [ -e "/lib/modules/$KB/kernel" ] || rm -rf "/lib/modules/${KB:?}"
echo "     (headers A $((t1 - t0)) s, install $((t2 - t1)) s, headers B + hook $((t4 - t3)) s, upgrade $((t5 - t4)) s, purge $((t6 - t5)) s)"
