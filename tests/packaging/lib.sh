# shellcheck shell=bash disable=SC2016,SC2154
# Helpers shared by the tests/packaging scripts (sourced, not run).
# Each check prints one line: "PASS <name>" or "FAIL <name>: <why>".

PASSED=${PASSED:-0}
FAILED=${FAILED:-0}

pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1${2:+: $2}"; }

# check NAME COMMAND...: PASS when COMMAND exits 0 (its output is hidden and
# shown as the reason when it fails).
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(printf '%s' "$out" | tail -n 5 | tr '\n' ' ')"
	fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# check_contains NAME FILE_OR_TEXT PATTERN (grep -E on the text)
check_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1" "no line matches /$3/"; fi
}
check_nomatch() {
	local hit
	if hit=$(printf '%s\n' "$2" | grep -E -m1 -- "$3"); then fail "$1" "unexpected: $hit"; else pass "$1"; fi
}

# The next version after $1: last component + 1 (0.1.0 -> 0.1.1).
next_version() {
	local v=$1
	echo "${v%.*}.$(( ${v##*.} + 1 ))"
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
}

# kernel release of a linux-headers-<kver> package name
kver_of() { echo "${1#linux-headers-}"; }
