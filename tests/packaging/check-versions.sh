# shellcheck shell=bash disable=SC2016,SC2154
# Sourced by tests/packaging/run: one version, one place. VERSION is the
# source; every other copy must agree with it (the packages' copies are
# generated from it, the repository's literal copies are checked here).

check_eq "version: repository dkms.conf PACKAGE_VERSION = VERSION" "$VERSION" \
	"$(sed -n -E 's/^PACKAGE_VERSION="(.*)"$/\1/p' "$repo/dkms.conf")"
check_eq "version: repository toa.spec Version = VERSION" "$VERSION" \
	"$(sed -n -E 's/^Version:[[:space:]]+//p' "$repo/packaging/rpm/toa.spec")"

check_eq "version: toa-dkms.deb" "$VERSION" "$(dpkg-deb -f "$DKMS_DEB" Version)"
check_eq "version: toa-check.deb" "$VERSION" "$(dpkg-deb -f "$CHECK_DEB" Version)"
vtmp=$LOGDIR/versions
rm -rf "$vtmp" && mkdir -p "$vtmp"
dpkg-source --no-check -x "$DSC" "$vtmp/src" >/dev/null 2>&1 || true
check_eq "version: debian/changelog of the source package" "$VERSION" \
	"$(dpkg-parsechangelog -l "$vtmp/src/debian/changelog" -SVersion 2>/dev/null || echo missing)"
dpkg-deb -x "$DKMS_DEB" "$vtmp/dkms"
check_eq "version: dkms.conf PACKAGE_VERSION in toa-dkms.deb" "$VERSION" \
	"$(sed -n -E 's/^PACKAGE_VERSION="(.*)"$/\1/p' "$vtmp/dkms/usr/src/toa-$VERSION/dkms.conf" 2>/dev/null)"
check_eq "version: VERSION in toa-dkms.deb's DKMS tree" "$VERSION" \
	"$(cat "$vtmp/dkms/usr/src/toa-$VERSION/VERSION" 2>/dev/null)"
for r in "$DKMS_RPM" "$CHECK_RPM" "$SRPM"; do
	check_eq "version: $(basename "$r") Version" "$VERSION" "$(rpm -qp --qf '%{VERSION}' "$r" 2>/dev/null)"
done
rpm_changelog=$(rpm -qp --changelog "$DKMS_RPM" 2>/dev/null | head -n1)
check_match "version: toa-dkms.rpm %changelog entry is $VERSION-1" "$rpm_changelog" " - $VERSION-1\$"
dpkg-deb -x "$CHECK_DEB" "$vtmp/check"
check_match "version: toa-check --version (from toa-check.deb) prints $VERSION" \
	"$("$vtmp/check/usr/sbin/toa-check" --version 2>&1 || true)" "(^|[^0-9.])${VERSION//./\\.}([^0-9.]|\$)"
# MODULE_VERSION is checked on the module dkms builds (check-deb.sh).
