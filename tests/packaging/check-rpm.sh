# shellcheck shell=bash disable=SC2016,SC2154
# Sourced by tests/packaging/run: the RPM scriptlets for real, with a private
# RPM database (no RPM distribution is reachable) against this machine's dkms
# and kernel A's headers (installed by check-deb.sh): install, upgrade N -> N+1,
# erase. --nodeps: dkms, gcc, make and kernel-devel are dpkg packages here.

toa_clean_slate
rpmdb=$LOGDIR/rpmdb
mkdir -p "$rpmdb"
rpm_q() { rpm --dbpath "$rpmdb" "$@"; }

t0=$(date +%s)
rpm_log=$LOGDIR/rpm-install.log
check_logged "rpm: rpm -i toa-dkms $VERSION succeeds" "$rpm_log" \
	rpm -i --nodeps --force-debian --dbpath "$rpmdb" "$DKMS_RPM"
t1=$(date +%s)
rpm_out=$(cat "$rpm_log")
status=$(dkms status -m toa 2>&1)
check_match "rpm: %post built and installed toa/$VERSION for the newest kernel with headers ($KA)" "$status" "^toa/$VERSION, $KA, [^:]+: installed"
check_match "rpm: %post survives the running kernel without headers" "$rpm_out" "no headers for kernel $(uname -r)"
check_match "rpm: %post points to toa-check" "$rpm_out" "run 'toa-check doctor'"
if systemd-detect-virt --quiet --container 2>/dev/null || systemd-detect-virt --quiet --chroot 2>/dev/null; then
	check_match "rpm: %post loads nothing here, a container ($(systemd-detect-virt 2>/dev/null || echo chroot))" \
		"$rpm_out" "toa-dkms: in a chroot or container: the module is not loaded now"
else
	check_nomatch "rpm: %post does not take this machine for a chroot or container" "$rpm_out" "in a chroot or container"
fi
check_eq "rpm: vermagic of the installed toa.ko is kernel A" "$KA" \
	"$(modinfo -F vermagic "/lib/modules/$KA/updates/dkms/toa.ko" 2>/dev/null | awk '{print $1}')"

check_logged "rpm: rpm -U to toa-dkms $NEXT succeeds" "$LOGDIR/rpm-upgrade.log" \
	rpm -U --nodeps --force-debian --dbpath "$rpmdb" "$NEXT_DKMS_RPM"
t2=$(date +%s)
# rpm runs the new package's %post before the old one's %preun: toa/$NEXT
# still installed for kernel A shows that the old %preun removed only its own
# version.
check_upgraded rpm "$VERSION" "$NEXT" "$KA"
check_eq "rpm: database holds only toa-dkms $NEXT" "toa-dkms-$NEXT-1" "$(rpm_q -qa --qf '%{NAME}-%{VERSION}-%{RELEASE}\n' 2>/dev/null)"

check "rpm: rpm -e toa-dkms succeeds" rpm_q -e --nodeps toa-dkms
t3=$(date +%s)
check_eq "rpm: erase removed toa from dkms" "" "$(dkms status -m toa 2>/dev/null)"
check "rpm: erase left no /var/lib/dkms/toa" test ! -e /var/lib/dkms/toa
check "rpm: erase left no /usr/src/toa-*" bash -c '! compgen -G "/usr/src/toa-*" >/dev/null'
check "rpm: erase left no toa.ko in /lib/modules" bash -c '[ -z "$(find /lib/modules -name "toa.ko*" 2>/dev/null)" ]'
check "rpm: erase removed /usr/lib/modules-load.d/toa.conf" test ! -e /usr/lib/modules-load.d/toa.conf
toa_clean_slate
echo "     (rpm install $((t1 - t0)) s, upgrade $((t2 - t1)) s, erase $((t3 - t2)) s)"
