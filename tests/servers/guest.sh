#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# tests/servers/guest.sh: unmodified servers behind the emulated load
# balancer, on the booted Debian system of the packaging VM (installed there
# as /usr/local/sbin/toa-servers-test, run by its test unit after toa-check;
# toa-lbget next to it). Each scenario makes one request with a client
# address of its own in the TOA option and prints what the server's own log
# recorded for it:
#
#   TOA-SERVER <scenario> rc=<toa-lbget exit> seen=<the server's log line>
#
# and at the end one line of counter deltas from /proc/net/toa_stats:
#
#   TOA-SERVER-STATS <counter>=<delta> ...
#
# The host holds the scenario list and what each log must show
# (tests/servers/expect.sh, via tests/packaging/vm-boot); this script
# asserts nothing itself.
#
# Scenarios, in order (servers from Debian's packages, started here with
# their own configuration, each logging to its own file):
#   nginx4/6        nginx, "listen 8080 deferred reuseport", $remote_addr
#   haproxy4/6      HAProxy in TCP mode in front of nginx, "%ci:%cp"
#   python4         python3 -m http.server 8082, as the README's check
#   python6         python3 -m http.server 8083 --bind ::
#   busybox4/6      busybox httpd -f -vv
#   ctr_stats       /proc/net/toa_stats inside the container's namespace
#   ctr_toacheck    toa-check stats --json there
#   ctr_dnat        busybox httpd in its own network namespace behind a
#                   bridge, published as docker run -p does it (nftables
#                   DNAT of 198.51.100.1:9080 to 172.30.0.2:80)
#   ctr_ipvs        the same container as the real server of an IPVS
#                   virtual service in NAT mode, as kube-proxy's IPVS mode
#                   (10.96.0.10:80)
#   ctr_masq        DNAT with masquerade in front of the container: the
#                   module sees the node (172.30.0.1), which is not trusted
#   ctr_masq_trusted  the same with 172.30.0.1 added to trusted_sources
set -u
W=/run/toa-servers
LBGET=/usr/local/bin/toa-lbget
STATS=/proc/net/toa_stats
mkdir -p "$W/www"
echo "toa servers test" >"$W/www/index.html"
cd "$W" || exit 1

# srv_wait PORT [NETNS]: until something listens on PORT (a server's start
# under TCG takes seconds), at most 60 s.
srv_wait() {
	local i ns=()
	[ -n "${2:-}" ] && ns=(ip netns exec "$2")
	for ((i = 0; i < 600; i++)); do
		"${ns[@]}" ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	echo "TOA-SERVER-NOTE nothing listens on port $1 after 60 s"
	return 1
}

# scen NAME LOG LBGET-ARGS...: one request; then wait (at most 30 s) for
# LOG to grow and print its first new line that is not empty.
scen() {
	local name=$1 log=$2 before rc=0 seen="" i
	shift 2
	before=$(wc -l <"$log" 2>/dev/null || echo 0)
	stats >"$W/$name.stats"
	"$LBGET" "$@" >"$W/$name.out" 2>&1 || rc=$?
	for ((i = 0; i < 300; i++)); do
		seen=$(tail -n "+$((before + 1))" "$log" 2>/dev/null | grep -m1 . || true)
		[ -n "$seen" ] && break
		sleep 0.1
	done
	echo "TOA-SERVER $name rc=$rc seen=$seen"
	echo "TOA-SERVER-NOTE $name: counters moved: $(stats | delta "$W/$name.stats" -)"
	[ "$rc" = 0 ] || sed 's/^/TOA-SERVER-NOTE '"$name"': /' "$W/$name.out"
}

stats() { awk '{print $1, $2}' "$STATS"; }
# delta BEFORE AFTER: "counter=+N ..." for the counters that moved
delta() {
	awk 'NR == FNR { b[$1] = $2; next } $1 in b && $2 != b[$1] { printf "%s=%+d ", $1, $2 - b[$1] }' "$1" "$2"
}
stats >"$W/stats.before"

# --- nginx, HAProxy in front of it ------------------------------------------
cat >"$W/nginx.conf" <<'EOF'
worker_processes 1;
pid /run/toa-servers/nginx.pid;
error_log /run/toa-servers/nginx.err;
events { worker_connections 64; }
http {
	log_format toa '$remote_addr $remote_port "$request" $status';
	access_log /run/toa-servers/nginx.log toa;
	server {
		listen 8080 deferred reuseport;
		listen [::]:8080 deferred reuseport ipv6only=on;
		root /run/toa-servers/www;
	}
}
EOF
: >"$W/nginx.log"
nginx -c "$W/nginx.conf" || echo "TOA-SERVER-NOTE nginx did not start: $(tail -n 2 "$W/nginx.err")"
cat >"$W/haproxy.cfg" <<'EOF'
global
	log stdout format raw daemon
defaults
	mode tcp
	log global
	log-format "%ci:%cp %ft %b"
	timeout connect 10s
	timeout client 30s
	timeout server 30s
frontend toa
	bind 0.0.0.0:8081
	bind :::8081 v6only
	default_backend web
backend web
	server nginx 127.0.0.1:8080
EOF
: >"$W/haproxy.log"
haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>"$W/haproxy.err" &
python3 -m http.server 8082 >"$W/python4.log" 2>&1 &
python3 -m http.server 8083 --bind :: >"$W/python6.log" 2>&1 &
busybox httpd -f -vv -p 8084 -h "$W/www" 2>"$W/busybox.log" &
for p in 8080 8081 8082 8083 8084; do srv_wait "$p"; done
# the servers' own start-up lines are not what a request logged
sleep 1

scen nginx4 "$W/nginx.log" -p 8080 -c 203.0.113.11
scen nginx6 "$W/nginx.log" -6 -p 8080 -c 2001:db8:c11e::11
scen haproxy4 "$W/haproxy.log" -p 8081 -c 203.0.113.12
scen haproxy6 "$W/haproxy.log" -6 -p 8081 -c 2001:db8:c11e::12
scen python4 "$W/python4.log" -p 8082 -c 203.0.113.13
scen python6 "$W/python6.log" -6 -p 8083 -c 2001:db8:c11e::13
scen busybox4 "$W/busybox.log" -p 8084 -c 203.0.113.14
scen busybox6 "$W/busybox.log" -6 -p 8084 -c 2001:db8:c11e::14

# --- a container: its own network namespace on a bridge ------------------------
ip netns add toactr
ip link add toabr0 type bridge
ip link add toaveth0 type veth peer name eth0 netns toactr
ip link set toaveth0 master toabr0
ip addr add 172.30.0.1/24 dev toabr0
ip link set toabr0 up
ip link set toaveth0 up
ip -n toactr addr add 172.30.0.2/24 dev eth0
ip -n toactr link set eth0 up
ip -n toactr link set lo up
ip -n toactr route add default via 172.30.0.1
sysctl -q -w net.ipv4.ip_forward=1
# toa-check stats reads the same file; a container sees the host's module
rc=0
seen=$(ip netns exec toactr grep -E '^max_entries ' "$STATS" 2>&1) || rc=$?
echo "TOA-SERVER ctr_stats rc=$rc seen=$(tr -s ' ' <<<"$seen")"
rc=0
seen=$(ip netns exec toactr toa-check stats --json 2>&1) || rc=$?
echo "TOA-SERVER ctr_toacheck rc=$rc seen=$(python3 -c 'import json, sys; print("max_entries", json.load(sys.stdin)["max_entries"])' <<<"$seen" 2>&1 | tail -n 1)"
ip netns exec toactr busybox httpd -f -vv -p 80 -h "$W/www" 2>"$W/ctr.log" &
srv_wait 80 toactr
nft -f - <<'EOF'
table ip toa_nat {
	chain prerouting {
		type nat hook prerouting priority dstnat;
		iifname != "toabr0" tcp dport 9080 dnat to 172.30.0.2:80
	}
	chain postrouting {
		type nat hook postrouting priority srcnat;
	}
}
EOF
scen ctr_dnat "$W/ctr.log" -p 9080 -c 203.0.113.21

ip addr add 10.96.0.10/32 dev lo
ipvsadm -A -t 10.96.0.10:80 -s rr
ipvsadm -a -t 10.96.0.10:80 -r 172.30.0.2:80 -m
scen ctr_ipvs "$W/ctr.log" -d 10.96.0.10 -p 80 -c 203.0.113.22
ipvsadm -C

nft add rule ip toa_nat postrouting oifname "toabr0" masquerade
trusted=$(cat /sys/module/toa/parameters/trusted_sources)
scen ctr_masq "$W/ctr.log" -p 9080 -c 203.0.113.23
echo "$trusted,172.30.0.1/32" >/sys/module/toa/parameters/trusted_sources
scen ctr_masq_trusted "$W/ctr.log" -p 9080 -c 203.0.113.24
echo "$trusted" >/sys/module/toa/parameters/trusted_sources

stats >"$W/stats.after"
echo "TOA-SERVER-STATS $(awk 'NR == FNR { b[$1] = $2; next } $1 in b { printf "%s=%d ", $1, $2 - b[$1] }' \
	"$W/stats.before" "$W/stats.after")"

# Leave nothing behind: the unit's next steps and the poweroff see a clean system.
nft delete table ip toa_nat
ip addr del 10.96.0.10/32 dev lo
kill %1 %2 %3 %4 %5 2>/dev/null
nginx -c "$W/nginx.conf" -s stop
ip netns del toactr
ip link del toabr0
wait
exit 0
