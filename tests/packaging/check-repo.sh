# shellcheck shell=bash disable=SC2016,SC2154
# Sourced by tests/packaging/run: packaging/build-repos turns dist/ into signed
# apt and yum repositories (throwaway key), served on 127.0.0.1 by a static
# server. This machine then installs toa-dkms from the apt repository with its
# own client snippet and signature checking on (no trusted=yes), dkms builds
# the module for kernel A's headers; dnf (Debian's) lists and resolves the yum
# repository with gpgcheck and repo_gpgcheck on. A key that did not sign the
# repositories is refused by both.

A_PKG=$(apt-cache depends "linux-headers-$ARCH" 2>/dev/null \
	| sed -n -E "s/^ *Depends: (linux-headers-[^ ]+-$ARCH)\$/\1/p" | head -n1)
KA=$(kver_of "$A_PKG")
toa_clean_slate
t0=$(date +%s)
if repo_serve; then
	pass "repo: build-repos --throwaway-key over dist/, served on $REPO_URL"
else
	fail "repo: build-repos --throwaway-key over dist/, served on $REPO_URL" "$(tail -n 3 "$LOGDIR/build-repos.log" | tr '\n' ' ')"
	return 0
fi
R=$REPO_DIR
for f in apt/dists/stable/InRelease apt/dists/stable/Release.gpg "apt/dists/stable/main/binary-$ARCH/Packages.gz" \
	yum/repodata/repomd.xml yum/repodata/repomd.xml.asc toa-archive-keyring.asc toa-archive-keyring.gpg \
	client/toa.sources client/toa.list client/toa.repo; do
	check "repo: $f made" test -s "$R/$f"
done
check "repo: InRelease verifies with the published key (gpgv)" gpgv --keyring "$R/toa-archive-keyring.gpg" "$R/apt/dists/stable/InRelease"
check "repo: Release.gpg verifies Release (gpgv)" \
	gpgv --keyring "$R/toa-archive-keyring.gpg" "$R/apt/dists/stable/Release.gpg" "$R/apt/dists/stable/Release"
check "repo: repomd.xml.asc verifies repomd.xml (gpgv)" \
	gpgv --keyring "$R/toa-archive-keyring.gpg" "$R/yum/repodata/repomd.xml.asc" "$R/yum/repodata/repomd.xml"
packages=$(gzip -dc "$R/apt/dists/stable/main/binary-$ARCH/Packages.gz" 2>/dev/null | awk '/^Package:/ {p = $2} /^Version:/ {print p, $2}' | sort | tr '\n' ' ')
check_eq "repo: apt index binary-$ARCH lists toa-check and toa-dkms $VERSION" "toa-check $VERSION toa-dkms $VERSION " "$packages"
keydb=$LOGDIR/rpmkeys
mkdir -p "$keydb"
rpmkeys --dbpath "$keydb" --import "$R/toa-archive-keyring.asc" 2>/dev/null || true
for f in "$R"/yum/*.rpm; do
	check_match "repo: ${f##*/} signed and the signature verifies (rpmkeys -K)" \
		"$(rpmkeys --dbpath "$keydb" -K "$f" 2>&1)" ': digests signatures OK$'
done
snippets=$(cat "$R/client/toa.sources" "$R/client/toa.list" "$R/client/toa.repo")
check_nomatch "repo: client snippets never turn signature checking off" "$snippets" 'trusted=yes|[Tt]rusted: *yes|gpgcheck=0'
check_match "repo: client/toa.list is the one-line form of toa.sources" "$(cat "$R/client/toa.list")" \
	"^deb \[signed-by=/etc/apt/keyrings/toa-archive-keyring.asc\] $REPO_URL/apt stable main\$"

# --- apt on this machine, as the README tells a server to do ----------------------
keyring=/etc/apt/keyrings/toa-archive-keyring.asc
had_keyrings=0
[ -d /etc/apt/keyrings ] && had_keyrings=1
repo_apt_undo() {
	rm -f /etc/apt/sources.list.d/toa.sources "$keyring"
	[ "$had_keyrings" = 1 ] || rmdir /etc/apt/keyrings 2>/dev/null || true
	rm -f /var/lib/apt/lists/127.0.0.1_"$REPO_PORT"_*
}
UNDO_FUNCS="$UNDO_FUNCS repo_apt_undo"
install -D -m 0644 "$R/toa-archive-keyring.asc" "$keyring"
install -m 0644 "$R/client/toa.sources" /etc/apt/sources.list.d/toa.sources
update_log=$LOGDIR/repo-apt-update.log
check "repo: apt-get update with the toa source succeeds" \
	bash -c "apt-get update -o Dpkg::Use-Pty=0 >'$update_log' 2>&1 || { tail -n 5 '$update_log'; exit 1; }"
check_nomatch "repo: apt-get update: no signature or security warning" "$(cat "$update_log")" \
	'NO_PUBKEY|not signed|[Ii]nsecure|unauthenticated|^W: |^E: '
check_match "repo: apt-cache policy: toa-dkms $VERSION is the candidate, from $REPO_URL" \
	"$(apt-cache policy toa-dkms 2>&1 | tr '\n' ' ')" "Candidate: $VERSION .* $REPO_URL/apt stable/main"
install_log=$LOGDIR/repo-apt-install.log
check_logged "repo: apt-get install toa-dkms succeeds (from the repository, signatures checked)" "$install_log" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -o Dpkg::Use-Pty=0 toa-dkms
check_nomatch "repo: apt-get install: no unauthenticated-package warning" "$(cat "$install_log")" \
	'WARNING: The following packages cannot be authenticated|--allow-unauthenticated'
check_eq "repo: toa-check $VERSION came with it (Recommends)" "$VERSION" "$(dpkg-query -W -f='${Version}' toa-check 2>/dev/null)"
check_match "repo: dkms built toa/$VERSION for kernel A ($KA)" "$(dkms status -m toa 2>&1)" "^toa/$VERSION, $KA, [^:]+: installed"
check_eq "repo: vermagic of the built toa.ko is kernel A" "$KA" \
	"$(modinfo -F vermagic "/lib/modules/$KA/updates/dkms/toa.ko" 2>/dev/null | awk '{print $1}')"
apt_quiet purge toa-dkms toa-check >/dev/null 2>&1 || true
toa_clean_slate
repo_apt_undo

# An unrelated key in Signed-By: apt refuses the repository.
wrong=$LOGDIR/repo-wrong-key
mkdir -p "$wrong/lists/partial" "$wrong/parts"
if throwaway_pubkey "$wrong/key.asc"; then
	echo "deb [signed-by=$wrong/key.asc] $REPO_URL/apt stable main" >"$wrong/sources.list"
	out=$(apt-get update -o Dir::Etc::SourceList="$wrong/sources.list" -o Dir::Etc::SourceParts="$wrong/parts" \
		-o Dir::State::Lists="$wrong/lists" 2>&1) && rc=0 || rc=$?
	check_match "repo: apt-get update with an unrelated Signed-By key fails (exit $rc, NO_PUBKEY)" \
		"$rc $(tr '\n' ' ' <<<"$out")" '^[1-9][0-9]* .*(NO_PUBKEY|not signed)'
else
	fail "repo: unrelated key for the negative checks" "gpg could not make it"
fi

# --- dnf (Debian's), gpgcheck and repo_gpgcheck on ---------------------------------
dnf_root=$LOGDIR/dnf-root
dnf_q() {
	local key=$1
	shift
	dnf -q -y --installroot="$dnf_root" --releasever=9 --setopt=reposdir=/dev/null \
		--setopt=skip_if_unavailable=False --setopt=cachedir="$dnf_root/cache" --repofrompath="toa,$REPO_URL/yum" --repo=toa \
		--setopt=toa.gpgcheck=1 --setopt=toa.repo_gpgcheck=1 --setopt=toa.gpgkey="file://$key" "$@"
}
rm -rf "$dnf_root"
mkdir -p "$dnf_root"
out=$(dnf_q "$R/toa-archive-keyring.asc" list available 2>&1) && rc=0 || rc=$?
check_eq "repo: dnf list available (repo_gpgcheck: repomd.xml signature checked) exits 0" 0 "$rc"
check_match "repo: dnf lists toa-dkms $VERSION-1.noarch from repo toa" "$out" "^toa-dkms\.noarch +$VERSION-1 +toa\$"
check_match "repo: dnf lists toa-check $VERSION-1.$RPM_ARCH from repo toa" "$out" "^toa-check\.$RPM_ARCH +$VERSION-1 +toa\$"
out=$(dnf_q "$R/toa-archive-keyring.asc" repoquery --qf '%{name} %{version}-%{release} %{reponame}' toa-dkms toa-check 2>&1 | sort | tr '\n' ';')
check_eq "repo: dnf repoquery resolves both names to $VERSION-1 in repo toa" \
	"toa-check $VERSION-1 toa;toa-dkms $VERSION-1 toa;" "$out"
out=$(dnf_q "$R/toa-archive-keyring.asc" repoquery --requires toa-dkms 2>&1 | tr '\n' ' ')
check_match "repo: dnf resolves toa-dkms's requirements (dkms, kernel-devel)" "$out" '(^| )dkms .*kernel-devel|kernel-devel .*(^| )dkms'
pkill -f "gpg-agent --homedir $dnf_root/" 2>/dev/null || true
rm -rf "$dnf_root"
mkdir -p "$dnf_root"
if [ -s "$wrong/key.asc" ]; then
	out=$(dnf_q "$wrong/key.asc" list available 2>&1) && rc=0 || rc=$?
	check_match "repo: dnf with an unrelated gpgkey refuses the repository (exit $rc)" \
		"$rc $(tr '\n' ' ' <<<"$out")" '^[1-9][0-9]* .*repomd\.xml GPG signature verification error'
fi
# dnf's librepo leaves a gpg-agent for each repository keyring it made.
pkill -f "gpg-agent --homedir $dnf_root/" 2>/dev/null || true
rm -rf "$dnf_root" "$wrong"
echo "     (repositories and checks: $(($(date +%s) - t0)) s)"
