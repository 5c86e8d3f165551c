# shellcheck shell=bash disable=SC2016,SC2154
# Helpers shared by the tests/packaging scripts (sourced, not run).
# Each check prints one line: "PASS <name>" or "FAIL <name>: <why>".

PASSED=${PASSED:-0}
FAILED=${FAILED:-0}

pass() {
	PASSED=$((PASSED + 1))
	echo "PASS $1"
}
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL $1${2:+: $2}"
}

# check NAME COMMAND...: PASS when COMMAND exits 0 (its output is hidden and
# shown as the reason when it fails).
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		out=$(tail -n 5 <<<"$out")
		fail "$name" "${out//$'\n'/ }"
	fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# check_match NAME TEXT ERE: PASS when a line of TEXT matches ERE (grep -E);
# check_nomatch NAME TEXT ERE: PASS when none does. grep reads TEXT from a
# here-string, not from a pipe: with pipefail, a writer into a pipe that
# grep -q / -m1 has already left dies of SIGPIPE, and the pipeline's status
# would turn a match into "no match" (tests/packaging/lib-test shows both
# cases on a 1.2 MB text). An invalid ERE (grep's exit 2) fails both.
check_match() {
	local rc=0
	grep -Eq -- "$3" <<<"$2" || rc=$?
	case $rc in
	0) pass "$1" ;;
	1) fail "$1" "no line matches /$3/" ;;
	*) fail "$1" "grep -E /$3/ failed (exit $rc)" ;;
	esac
}
check_nomatch() {
	local hit rc=0
	hit=$(grep -E -m1 -- "$3" <<<"$2") || rc=$?
	case $rc in
	0) fail "$1" "unexpected: ${hit:0:300}" ;;
	1) pass "$1" ;;
	*) fail "$1" "grep -E /$3/ failed (exit $rc)" ;;
	esac
}

# check_logged NAME LOG COMMAND...: check, with COMMAND's whole output kept
# in LOG for later checks and for a reader; the reason of a failure is the
# log's last five lines.
check_logged() {
	local name=$1 log=$2 out
	shift 2
	if "$@" >"$log" 2>&1; then
		pass "$name"
	else
		out=$(tail -n 5 "$log")
		fail "$name" "${out//$'\n'/ }"
	fi
}

# check_upgraded PFX OLD NEW KERNEL...: after toa-dkms went from OLD to NEW,
# dkms has toa/NEW installed for every KERNEL, nothing of toa/OLD, only NEW's
# source tree in /usr/src, and each KERNEL's toa.ko says it is NEW.
check_upgraded() {
	local pfx=$1 old=$2 new=$3 status k
	shift 3
	status=$(dkms status -m toa 2>&1)
	for k in "$@"; do
		check_match "$pfx: upgrade: toa/$new installed for $k" "$status" "^toa/$new, $k, [^:]+: installed"
	done
	check_nomatch "$pfx: toa/$old gone from dkms status" "$status" "^toa/$old,"
	check "$pfx: /usr/src/toa-$old gone, /usr/src/toa-$new present" \
		test ! -e "/usr/src/toa-$old" -a -f "/usr/src/toa-$new/dkms.conf"
	for k in "$@"; do
		check_eq "$pfx: installed toa.ko for $k is $new" "$new" \
			"$(modinfo -F version "/lib/modules/$k/updates/dkms/toa.ko" 2>/dev/null)"
	done
}

# The next version after $1: last component + 1 (0.1.0 -> 0.1.1).
next_version() {
	local v=$1
	echo "${v%.*}.$((${v##*.} + 1))"
}

apt_quiet() {
	DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 "$@"
}

# Remove every trace of toa that a previous (failed) run may have left.
toa_clean_slate() {
	local v
	if dpkg-query -W toa-dkms toa-check >/dev/null 2>&1; then
		apt_quiet purge toa-dkms toa-check >/dev/null 2>&1 || true
	fi
	for v in $(dkms status -m toa 2>/dev/null | sed -n -E 's|^toa[/,] ?([^,:]+).*|\1|p' | sort -u); do
		dkms remove -m toa -v "$v" --all >/dev/null 2>&1 || true
	done
	rm -rf /var/lib/dkms/toa /usr/src/toa-[0-9]*
	rm -f /usr/lib/modules-load.d/toa.conf
	# the repo section's apt source, left by a run that was killed
	if grep -qs '^URIs: http://127\.0\.0\.1:' /etc/apt/sources.list.d/toa.sources; then
		rm -f /etc/apt/sources.list.d/toa.sources /etc/apt/keyrings/toa-archive-keyring.asc
		rm -f /var/lib/apt/lists/127.0.0.1_*
	fi
}

# kernel release of a linux-headers-<kver> package name
kver_of() { echo "${1#linux-headers-}"; }

# --- the repositories of packaging/build-repos, served on 127.0.0.1 -------------------
# repo_serve: build REPO_DIR from $DIST once per run (throwaway key) and serve
# it with python3's static server on a free port of 127.0.0.1; sets REPO_PORT
# and REPO_URL. repo_stop ends the server (stop_background calls it).
REPO_DIR=${REPO_DIR:-}
REPO_PORT=${REPO_PORT:-}
REPO_URL=${REPO_URL:-}
REPO_SERVER_PID=${REPO_SERVER_PID:-}
repo_serve() {
	[ -z "$REPO_SERVER_PID" ] || return 0
	REPO_DIR=$LOGDIR/repo
	REPO_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	REPO_URL=http://127.0.0.1:$REPO_PORT
	"$repo/packaging/build-repos" --no-install-deps --throwaway-key --url "$REPO_URL" \
		--dist "$DIST" --outdir "$REPO_DIR" >"$LOGDIR/build-repos.log" 2>&1 || return 1
	python3 -m http.server --bind 127.0.0.1 --directory "$REPO_DIR" "$REPO_PORT" \
		>"$LOGDIR/repo-http.log" 2>&1 &
	REPO_SERVER_PID=$!
	local i
	for i in $(seq 50); do
		python3 -c "import urllib.request as u; u.urlopen('$REPO_URL/toa-archive-keyring.asc', timeout=1)" \
			2>/dev/null && return 0
		[ "$i" = 50 ] || sleep 0.1
	done
	echo "the static server on $REPO_URL did not answer" >&2
	return 1
}
repo_stop() {
	[ -z "$REPO_SERVER_PID" ] || kill "$REPO_SERVER_PID" 2>/dev/null || true
	REPO_SERVER_PID=""
}

# Background processes of the sections (a VM, ...), killed by
# stop_background, which tests/packaging/run and the standalone scripts call
# on exit.
BACKGROUND_PIDS=${BACKGROUND_PIDS:-}
# Functions that undo a section's changes to this machine when the run ends
# early (a section calls them itself on its normal path).
UNDO_FUNCS=${UNDO_FUNCS:-}
stop_background() {
	local pid f
	repo_stop
	for pid in $BACKGROUND_PIDS; do kill "$pid" 2>/dev/null || true; done
	BACKGROUND_PIDS=""
	for f in $UNDO_FUNCS; do "$f" || true; done
	UNDO_FUNCS=""
}

# throwaway_pubkey FILE: an ASCII-armored public key of a fresh key pair that
# signed nothing (for "wrong key" checks).
throwaway_pubkey() {
	local home
	home=$(mktemp -d /tmp/toa-test-gnupg.XXXXXX)
	GNUPGHOME=$home gpg --batch --quiet --passphrase '' --quick-gen-key "toa-dkms test, unrelated key <unrelated@invalid>" \
		rsa3072 sign 1d 2>/dev/null
	GNUPGHOME=$home gpg --batch --armor --export >"$1"
	GNUPGHOME=$home gpgconf --kill all 2>/dev/null || true
	rm -rf "$home"
	[ -s "$1" ]
}
