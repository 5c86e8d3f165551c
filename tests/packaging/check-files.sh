# shellcheck shell=bash disable=SC2016,SC2154
# Sourced by tests/packaging/run: the packages exist, lint clean, and hold
# what they must.

for f in "$DKMS_DEB" "$CHECK_DEB" "$DKMS_RPM" "$CHECK_RPM" "$SRPM" "$DSC" \
	"$DIST/toa-dkms_${VERSION}.tar.xz" "$NEXT_DKMS_DEB" "$NEXT_DKMS_RPM"; do
	check "built: ${f#"$repo"/}" test -s "$f"
done

check "lintian: debs and source package without errors or warnings" \
	lintian --fail-on error,warning --tag-display-limit 0 "$DKMS_DEB" "$CHECK_DEB" "$DSC"
rpmlint_out=$(rpmlint -c "$repo/packaging/rpm/rpmlint.toml" "$DKMS_RPM" "$CHECK_RPM" "$SRPM" 2>&1 || true)
check_match "rpmlint: rpms and source rpm without errors or warnings" "$rpmlint_out" ' 0 errors, 0 warnings'

# --- toa-dkms.deb ----------------------------------------------------------------
deb_list=$(dpkg-deb -c "$DKMS_DEB" | awk '{print $NF}')
for f in dkms.conf VERSION module/Kbuild module/Makefile; do
	check_match "toa-dkms.deb has /usr/src/toa-$VERSION/$f" "$deb_list" "^\./usr/src/toa-$VERSION/$f\$"
done
check_match "toa-dkms.deb has /usr/lib/modules-load.d/toa.conf" "$deb_list" '^\./usr/lib/modules-load\.d/toa\.conf$'
check_nomatch "toa-dkms.deb has no build output (*.o, *.ko, .cmd)" "$deb_list" '\.(o|ko|cmd)$'
check_eq "toa-dkms.deb is Architecture: all" all "$(dpkg-deb -f "$DKMS_DEB" Architecture)"
dkms_depends=$(dpkg-deb -f "$DKMS_DEB" Depends)
check_match "toa-dkms.deb Depends on dkms" "$dkms_depends" '(^|, )dkms( |,|$)'
check_nomatch "toa-dkms.deb installs with dkms 2.8 (Debian 11, Ubuntu 22.04): no dkms >= 3 in Depends" \
	"$dkms_depends" 'dkms \(>= [3-9]'
check_nomatch "toa-dkms.deb does not Depend on a headers flavour (cloud kernels have their own)" \
	"$dkms_depends" 'linux-headers'
check_eq "toa-dkms.deb Recommends toa-check and the headers meta-packages (alternatives)" \
	"toa-check, linux-headers-amd64 | linux-headers-arm64 | linux-headers-generic | linux-headers" \
	"$(dpkg-deb -f "$DKMS_DEB" Recommends)"
check_match "toa-dkms.deb postinst runs the dkms build (dh_dkms ran)" \
	"$(dpkg-deb -I "$DKMS_DEB" postinst 2>&1)" '/usr/lib/dkms/common.postinst'
check_match "toa-dkms.deb prerm removes the module from dkms" \
	"$(dpkg-deb -I "$DKMS_DEB" prerm 2>&1)" 'dkms remove -m \$DKMS_NAME'
check_match "modules-load.d/toa.conf loads toa" "$(dpkg-deb --fsys-tarfile "$DKMS_DEB" | tar -xOf - ./usr/lib/modules-load.d/toa.conf)" '^toa$'

# --- toa-check.deb ---------------------------------------------------------------
cdeb_list=$(dpkg-deb -c "$CHECK_DEB" | awk '{print $NF}')
check_match "toa-check.deb has /usr/sbin/toa-check" "$cdeb_list" '^\./usr/sbin/toa-check$'
check_match "toa-check.deb has the man page toa-check.8" "$cdeb_list" '^\./usr/share/man/man8/toa-check\.8\.gz$'
check_eq "toa-check.deb is Architecture: $ARCH" "$ARCH" "$(dpkg-deb -f "$CHECK_DEB" Architecture)"

# --- dkms.conf (as shipped) --------------------------------------------------------
dkms_conf=$(dpkg-deb --fsys-tarfile "$DKMS_DEB" | tar -xOf - "./usr/src/toa-$VERSION/dkms.conf")
check_match "dkms.conf: PACKAGE_NAME toa" "$dkms_conf" '^PACKAGE_NAME="toa"$'
check_match "dkms.conf: BUILT_MODULE_NAME[0] toa" "$dkms_conf" '^BUILT_MODULE_NAME\[0\]="toa"$'
check_match "dkms.conf: BUILT_MODULE_LOCATION[0] module/" "$dkms_conf" '^BUILT_MODULE_LOCATION\[0\]="module/"$'
check_match "dkms.conf: MAKE builds against \${kernel_source_dir}" "$dkms_conf" '^MAKE\[0\]=".*KDIR=\$\{kernel_source_dir\}'
check_nomatch "dkms.conf: never asks uname" "$(grep -v '^#' <<<"$dkms_conf")" 'uname'
check_match "dkms.conf: AUTOINSTALL yes" "$dkms_conf" '^AUTOINSTALL="yes"$'
check_match "dkms.conf: NO_WEAK_MODULES yes (no weak-modules links on the RHEL family)" "$dkms_conf" '^NO_WEAK_MODULES="yes"$'
check_nomatch "dkms.conf: no BUILD_EXCLUSIVE_CONFIG (dkms 2.8 lacks it)" "$dkms_conf" '^BUILD_EXCLUSIVE_CONFIG'
# ... module/Kbuild checks the configuration instead (check-deb.sh runs it)
kbuild=$(dpkg-deb --fsys-tarfile "$DKMS_DEB" | tar -xOf - "./usr/src/toa-$VERSION/module/Kbuild")
kbuild_needs=$(sed -n '/^TOA_NEEDS :=/,/[^\\]$/p' <<<"$kbuild" | tr -d '\\\n')
for opt in CONFIG_MODULES CONFIG_INET CONFIG_KPROBES CONFIG_KRETPROBES CONFIG_FUNCTION_TRACER CONFIG_DYNAMIC_FTRACE CONFIG_TRACEPOINTS; do
	check_match "module/Kbuild: the build needs $opt" "$kbuild_needs" "(^| |=)$opt( |$)"
done
check_nomatch "dkms.conf: no directive dkms 3 deprecates" "$(grep -v '^#' <<<"$dkms_conf")" \
	'^(REMAKE_INITRD|MODULES_CONF|MODULES_CONF_OBSOLETES|MODULES_CONF_ALIAS_TYPE|MODULES_CONF_OBSOLETE_ONLY)'

# --- rpms ------------------------------------------------------------------------
rpm_list=$(rpm -qlp "$DKMS_RPM" 2>/dev/null)
for f in dkms.conf VERSION module/Kbuild module/Makefile; do
	check_match "toa-dkms.rpm has /usr/src/toa-$VERSION/$f" "$rpm_list" "^/usr/src/toa-$VERSION/$f\$"
done
check_match "toa-dkms.rpm has /usr/lib/modules-load.d/toa.conf" "$rpm_list" '^/usr/lib/modules-load\.d/toa\.conf$'
check_eq "toa-dkms.rpm is noarch" noarch "$(rpm -qp --qf '%{ARCH}' "$DKMS_RPM" 2>/dev/null)"
rpm_requires=$(rpm -qp --requires "$DKMS_RPM" 2>/dev/null)
for r in dkms gcc make kernel-devel; do
	check_match "toa-dkms.rpm requires $r" "$rpm_requires" "^$r\$"
done
rpm_recommends=$(rpm -qp --recommends "$DKMS_RPM" 2>/dev/null)
check_match "toa-dkms.rpm recommends toa-check" "$rpm_recommends" '^toa-check$'
check_match "toa-dkms.rpm recommends kernel-devel-matched (Fedora, EL 9: headers of the installed kernel)" \
	"$rpm_recommends" '^kernel-devel-matched$'
check_match "toa-dkms.rpm %post names kernel-devel-<release> when headers are missing" \
	"$(rpm -qp --scripts "$DKMS_RPM" 2>/dev/null)" 'dnf install kernel-devel-\$k'
suse_requires=$(rpmspec -q --requires --define 'suse_version 1550' \
	"$repo/packaging/rpm/toa.spec" 2>/dev/null || true)
check_match "toa.spec on SUSE requires kernel-default-devel" "$suse_requires" '^kernel-default-devel$'
rpm_scripts=$(rpm -qp --scripts "$DKMS_RPM" 2>/dev/null)
check_match "toa-dkms.rpm %post runs dkms install" "$rpm_scripts" 'dkms install -m toa'
check_match "toa-dkms.rpm %preun removes only on erase" "$rpm_scripts" 'if \[ "\$1" -eq 0 \]; then'
crpm_list=$(rpm -qlp "$CHECK_RPM" 2>/dev/null)
check_match "toa-check.rpm has /usr/sbin/toa-check" "$crpm_list" '^/usr/sbin/toa-check$'
check_match "toa-check.rpm has the man page toa-check.8" "$crpm_list" '^/usr/share/man/man8/toa-check\.8\.gz$'
check_eq "toa-check.rpm is $RPM_ARCH" "$RPM_ARCH" "$(rpm -qp --qf '%{ARCH}' "$CHECK_RPM" 2>/dev/null)"

# --- licences ----------------------------------------------------------------------
# Every tracked file's SPDX line against the split COPYING and
# debian/copyright state: GPL-2.0 in module/ and tests/kernel/kmod/, except
# the files debian/copyright's module stanza lists as dual-licensed;
# GPL-2.0 OR MIT everywhere else.
lic_dual=$(sed -n '/^Files: module\/toa_opt\.c$/,/^Copyright:/p' "$repo/packaging/debian/copyright" \
	| sed -E '/^Copyright:/d; s/^Files://; s/^ +//')
lic_bad="" lic_n=0
while IFS= read -r f; do
	# the SPDX line is one of a file's first lines
	spdx=$(head -n 5 "$repo/$f" | sed -n -E '/SPDX-License-Identifier: /{s/.*SPDX-License-Identifier: //; s/ *(\*\/)? *$//; p; q}')
	[ -n "$spdx" ] || continue
	lic_n=$((lic_n + 1))
	if grep -qxF -- "$f" <<<"$lic_dual"; then
		want="GPL-2.0 OR MIT"
	elif [[ $f == module/* || $f == tests/kernel/kmod/* ]]; then
		want="GPL-2.0"
	else
		want="GPL-2.0 OR MIT"
	fi
	[ "$spdx" = "$want" ] || lic_bad+="$f: '$spdx', debian/copyright says '$want'; "
done < <(git -C "$repo" ls-files)
check_eq "licences: the SPDX lines of $lic_n files agree with debian/copyright" "" "$lic_bad"
lic_missing=""
for f in $lic_dual; do
	grep -qF -- "$f" "$repo/COPYING" || lic_missing+="$f "
done
check_eq "licences: COPYING names the $(wc -w <<<"$lic_dual") dual-licensed module files" "" "$lic_missing"
check_eq "licences: LICENSES/GPL-2.0 is the GPL version 2 text (as /usr/share/common-licenses/GPL-2)" \
	"$(md5sum </usr/share/common-licenses/GPL-2)" "$(md5sum <"$repo/LICENSES/GPL-2.0")"
check_eq "licences: toa-dkms.rpm License: GPL-2.0-only" "GPL-2.0-only" "$(rpm -qp --qf '%{LICENSE}' "$DKMS_RPM" 2>/dev/null)"
check_eq "licences: toa-check.rpm License: GPL-2.0-only OR MIT" "GPL-2.0-only OR MIT" "$(rpm -qp --qf '%{LICENSE}' "$CHECK_RPM" 2>/dev/null)"
for r in "$DKMS_RPM" "$CHECK_RPM"; do
	check_eq "licences: ${r##*/} carries COPYING and LICENSES/ as %license" \
		"COPYING GPL-2.0 MIT" "$(rpm -qpL "$r" 2>/dev/null | sed 's|.*/||' | sort | tr '\n' ' ' | sed 's/ $//')"
done
check_match "licences: toa-check.deb's copyright file has the GPL-2 or Expat stanza" \
	"$(dpkg-deb --fsys-tarfile "$CHECK_DEB" | tar -xOf - ./usr/share/doc/toa-check/copyright 2>/dev/null)" '^License: GPL-2 or Expat$'

# --- source packages ---------------------------------------------------------------
srpm_tar=$(rpm2cpio "$SRPM" 2>/dev/null | cpio -i --quiet --to-stdout "toa-dkms-$VERSION.tar.gz" 2>/dev/null \
	| tar -tzf - 2>/dev/null || true)
check_match "source rpm holds toa-dkms-$VERSION.tar.gz with the sources" "$srpm_tar" "^toa-dkms-$VERSION/module/Kbuild\$"
check_nomatch "source rpm tarball has no build output" "$srpm_tar" '^[^/]+/(obj-[^/]*|debian)/|\.(o|ko)$|CMakeCache\.txt$'
# build-packages stages with git archive: the tracked files, nothing else
check_eq "source rpm tarball holds exactly the files git tracks (first differences shown)" "" \
	"$(diff <(git -C "$repo" ls-files | sort) <(grep -v '/$' <<<"$srpm_tar" | sed 's|^[^/]*/||' | sort) | grep '^[<>]' | head -n 5)"
dsc_tar=$(tar -tJf "$DIST/toa-dkms_${VERSION}.tar.xz" 2>/dev/null || true)
check_match "Debian source package holds debian/ and the sources" "$dsc_tar" '^[^/]+/debian/control$'
check_match "Debian source package holds module/Kbuild" "$dsc_tar" '^[^/]+/module/Kbuild$'
check_nomatch "Debian source package has no build output" "$dsc_tar" '(^|/)obj-[^/]*/|\.(o|ko)$|CMakeCache\.txt$|/dist/'
