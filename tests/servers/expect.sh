# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# tests/servers/expect.sh: what each scenario of guest.sh must show in its
# server's own log, and the counters that must move by exactly so much
# (sourced by tests/packaging/vm-boot, which boots the VM guest.sh runs in).
#
# servers_check RESULTS: one check per scenario below, in this order; a
# scenario that printed no line, or printed it twice, fails, and so does a
# line of a scenario not listed here.

# scenario | ERE the "seen=" log line must match (anchored)
SERVERS_EXPECT=(
	'nginx4|203\.0\.113\.11 4321 "GET / HTTP/1\.0" 200'
	'nginx6|2001:db8:c11e::11 4321 "GET / HTTP/1\.0" 200'
	'haproxy4|203\.0\.113\.12:4321 toa web'
	'haproxy6|2001:db8:c11e::12:4321 toa web'
	'python4|203\.0\.113\.13 - - \[[^]]+\] "GET / HTTP/1\.0" 200 -'
	'python6|2001:db8:c11e::13 - - \[[^]]+\] "GET / HTTP/1\.0" 200 -'
	'busybox4|\[::ffff:203\.0\.113\.14\]:4321: url:/'
	'busybox6|\[2001:db8:c11e::14\]:4321: url:/'
	'ctr_stats|max_entries [0-9]+'
	'ctr_toacheck|max_entries [0-9]+'
	'ctr_dnat|\[::ffff:203\.0\.113\.21\]:4321: url:/'
	'ctr_ipvs|\[::ffff:203\.0\.113\.22\]:4321: url:/'
	'ctr_masq|\[::ffff:172\.30\.0\.1\]:[0-9]+: url:/'
	'ctr_masq_trusted|\[::ffff:203\.0\.113\.24\]:4321: url:/'
)

# counter | its delta over the run. Eleven connections carry TOA from a
# trusted source (all but ctr_masq); the masqueraded one is untrusted;
# the two without TOA are HAProxy's own to nginx on 127.0.0.1. What must
# not move: anything that means a TOA was lost or misread.
SERVERS_COUNTERS=(
	'syn_recv_sock_toa|11'
	'syn_recv_sock_no_toa|2'
	'getname_toa_ok|11'
	'untrusted|1'
	'malformed|0'
	'bad_client|0'
	'table_full|0'
	'no_memory|0'
	'syn_cookie_toa_lost|0'
	'getname_toa_mismatch|0'
	'exid_skipped|0'
)

servers_check() {
	local out=$1 row name want lines n line stats got known=" "
	for row in "${SERVERS_EXPECT[@]}"; do
		name=${row%%|*} want=${row#*|}
		known+="$name "
		lines=$(grep -E "^TOA-SERVER $name rc=" <<<"$out" || true)
		n=$(grep -c . <<<"$lines" || true)
		if [ "$n" != 1 ]; then
			fail "servers: $name" "$n result lines (want 1)"
			continue
		fi
		line=${lines#"TOA-SERVER $name "}
		if [[ $line =~ ^rc=0\ seen=($want)$ ]]; then
			pass "servers: $name: ${BASH_REMATCH[1]}"
		else
			fail "servers: $name: log shows /$want/" "$line; $(grep -E "^TOA-SERVER-NOTE( $name:)?" <<<"$out" | head -n 3 | tr '\n' ' ')"
		fi
	done
	while read -r _ name _; do
		[ -n "$name" ] || continue
		[[ $known == *" $name "* ]] || fail "servers: result of an unlisted scenario '$name'" "update SERVERS_EXPECT"
	done < <(grep -E '^TOA-SERVER [^ ]+ rc=' <<<"$out" || true)
	stats=$(grep -E '^TOA-SERVER-STATS ' <<<"$out" | tail -n 1)
	for row in "${SERVERS_COUNTERS[@]}"; do
		name=${row%%|*} want=${row#*|}
		got=$(grep -oE "(^| )$name=-?[0-9]+" <<<"$stats" | sed 's/.*=//' || true)
		check_eq "servers: /proc/net/toa_stats $name moved by $want" "$want" "$got"
	done
}
