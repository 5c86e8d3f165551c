// SPDX-License-Identifier: GPL-2.0 OR MIT
// selftest.cpp - make a TUN device, give the kernel the server address on
// it, let lbsim (lbsim/lbsim.c) open connections from the "load
// balancer" with a made-up client in the TOA option, and check what
// accept() and getpeername() return. Everything created is removed again.
#include "selftest.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ostream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "lbsim.h"
#include "netaddr.h"
#include "stats.h"
#include "toa_uapi.h"

extern "C" {
#include "toa_cidr.h"
}

namespace toacheck {

namespace {

struct Plan {
	int family;
	const char *server; // on the TUN device
	unsigned prefix;
	const char *lb;	    // the emulated load balancer
	const char *client; // announced in the TOA option
	uint16_t client_port;
};

// Documentation ranges only (RFC 5737, RFC 3849).
constexpr Plan kPlans[] = {
	{AF_INET, "198.51.100.1", 30, "198.51.100.2", "203.0.113.7", 4321},
	{AF_INET6, "2001:db8:7fa::1", 126, "2001:db8:7fa::2", "2001:db8:c11e::7", 4321},
};

struct Fd {
	int fd = -1;
	~Fd()
	{
		if (fd >= 0)
			close(fd);
	}
};

struct Tun {
	lbsim_tun *tun = nullptr;
	~Tun() { lbsim_tun_close(tun); }
};

std::string addr_text(int family, const void *addr, uint16_t port)
{
	sockaddr_storage ss{};
	if (family == AF_INET) {
		auto *a = reinterpret_cast<sockaddr_in *>(&ss);
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		std::memcpy(&a->sin_addr, addr, 4);
	} else {
		auto *a = reinterpret_cast<sockaddr_in6 *>(&ss);
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		std::memcpy(&a->sin6_addr, addr, 16);
	}
	return format_sockaddr(ss);
}

uint64_t counter(System &sys, const char *name)
{
	auto text = sys.read_file(TOA_STATS_FILE);
	return text ? parse_stats(*text).get(name).value_or(0) : 0;
}

// One connection through the emulated load balancer; appends checks.
void run_plan(Env &env, lbsim_tun *tun, const Plan &p, uint8_t kind, bool trusted, int timeout_ms,
	      std::vector<Check> &checks)
{
	const char *fam = p.family == AF_INET ? "IPv4" : "IPv6";
	uint8_t srv[16] = {}, lb[16] = {}, cl[16] = {};
	inet_pton(p.family, p.server, srv);
	inet_pton(p.family, p.lb, lb);
	inet_pton(p.family, p.client, cl);

	int rc = lbsim_tun_add_addr(tun, p.family, srv, p.prefix);
	if (rc < 0) {
		checks.push_back({fam, Status::Fail,
				  fmt::format("{}: cannot add {}/{} to {}: {}", fam, p.server,
					      p.prefix, lbsim_tun_name(tun), std::strerror(-rc)),
				  ""});
		return;
	}

	Fd lfd;
	lfd.fd = socket(p.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	sockaddr_storage bind_addr{};
	socklen_t blen;
	if (p.family == AF_INET) {
		auto *a = reinterpret_cast<sockaddr_in *>(&bind_addr);
		a->sin_family = AF_INET;
		std::memcpy(&a->sin_addr, srv, 4);
		blen = sizeof(*a);
	} else {
		auto *a = reinterpret_cast<sockaddr_in6 *>(&bind_addr);
		a->sin6_family = AF_INET6;
		std::memcpy(&a->sin6_addr, srv, 16);
		blen = sizeof(*a);
	}
	if (lfd.fd < 0 || bind(lfd.fd, reinterpret_cast<sockaddr *>(&bind_addr), blen) != 0 ||
	    listen(lfd.fd, 4) != 0) {
		checks.push_back({fam, Status::Fail,
				  fmt::format("{}: cannot listen on {}: {}", fam, p.server,
					      std::strerror(errno)),
				  ""});
		return;
	}
	sockaddr_storage bound{};
	socklen_t len = sizeof(bound);
	getsockname(lfd.fd, reinterpret_cast<sockaddr *>(&bound), &len);
	uint16_t port =
		ntohs(p.family == AF_INET ? reinterpret_cast<sockaddr_in *>(&bound)->sin_port
					  : reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port);

	uint64_t toa_before = counter(env.sys, "syn_recv_sock_toa");
	uint64_t untrusted_before = counter(env.sys, "untrusted");

	uint8_t opt[LBSIM_MAX_OPTLEN];
	size_t optlen = p.family == AF_INET ? lbsim_toa_v4(opt, kind, cl, p.client_port)
					    : lbsim_toa_v6(opt, kind, cl, p.client_port);
	lbsim_conn conn{};
	rc = lbsim_conn_init(&conn, tun, p.family, lb, 0, srv, port);
	if (rc == 0)
		rc = lbsim_connect(&conn, nullptr, 0, opt, optlen, timeout_ms);
	if (rc < 0) {
		checks.push_back(
			{fam, Status::Fail,
			 fmt::format(
				 "{}: the emulated load balancer could not connect to {}:{}: {}",
				 fam, p.server, port, std::strerror(-rc)),
			 ""});
		return;
	}

	pollfd pfd{lfd.fd, POLLIN, 0};
	Fd cfd;
	sockaddr_storage acc{};
	socklen_t alen = sizeof(acc);
	if (poll(&pfd, 1, timeout_ms) > 0)
		cfd.fd = accept4(lfd.fd, reinterpret_cast<sockaddr *>(&acc), &alen, SOCK_CLOEXEC);
	if (cfd.fd < 0) {
		checks.push_back({fam, Status::Fail,
				  fmt::format("{}: accept() got no connection", fam), ""});
		lbsim_reset(&conn);
		return;
	}
	std::string want = addr_text(p.family, cl, p.client_port);
	std::string lb_text = addr_text(p.family, lb, conn.lb_port);
	std::string got = format_sockaddr(acc);
	sockaddr_storage peer{};
	socklen_t plen = sizeof(peer);
	getpeername(cfd.fd, reinterpret_cast<sockaddr *>(&peer), &plen);
	std::string got_peer = format_sockaddr(peer);
	auto diag = diag_peer(cfd.fd);
	std::string diag_text = diag ? format_sockaddr(*diag) : "?";

	if (trusted) {
		bool ok = got == want;
		checks.push_back(
			{fam, ok ? Status::Pass : Status::Fail,
			 ok ? fmt::format("{}: accept() returned {}, the client in the TOA option",
					  fam, got)
			    : fmt::format(
				      "{}: accept() returned {}, expected the client {} (TOA kind {} not applied)",
				      fam, got, want, kind),
			 ok ? "" : "toa-check doctor\ntoa-check stats"});
		ok = got_peer == want;
		checks.push_back({fam, ok ? Status::Pass : Status::Fail,
				  fmt::format("{}: getpeername() returned {}", fam, got_peer), ""});
	} else {
		bool ok = got == lb_text && counter(env.sys, "untrusted") > untrusted_before;
		checks.push_back(
			{fam, ok ? Status::Pass : Status::Fail,
			 ok ? fmt::format(
				      "{}: TOA from {} ignored as untrusted (accept() returned the load balancer {})",
				      fam, p.lb, got)
			    : fmt::format(
				      "{}: {} is not in trusted_sources, yet accept() returned {}",
				      fam, p.lb, got),
			 ""});
	}
	bool diag_ok = diag_text == lb_text;
	checks.push_back({fam, diag_ok ? Status::Pass : Status::Warn,
			  fmt::format("{}: sock_diag shows the network peer {}", fam, diag_text),
			  ""});
	if (trusted && env.sys.exists(TOA_STATS_FILE)) {
		uint64_t moved = counter(env.sys, "syn_recv_sock_toa") - toa_before;
		checks.push_back({fam, moved > 0 ? Status::Pass : Status::Fail,
				  fmt::format("{}: syn_recv_sock_toa +{}", fam, moved), ""});
	}
	lbsim_reset(&conn);
}

bool lb_trusted(const std::string &list_text, int family, const char *lb)
{
	std::string t = trim(list_text);
	if (t.empty() || t == "(null)")
		return true;
	toa_cidr_list list{};
	if (toa_cidr_parse(t.data(), t.size(), &list, nullptr) != TOA_CIDR_OK)
		return true;
	uint8_t addr[16] = {};
	inet_pton(family, lb, addr);
	return toa_cidr_match(&list, family == AF_INET ? 4 : 6, addr);
}

} // namespace

int SelftestCmd::run(Env &env)
{
	if (timeout_ms < 100 || timeout_ms > 60000)
		throw UsageError("--timeout wants 100..60000 milliseconds");
	if (!env.sys.is_root())
		throw UsageError(
			"selftest creates a TUN device and needs root (run: sudo toa-check selftest)");

	std::vector<Check> checks;
	bool loaded = env.sys.module_loaded();
	if (!loaded)
		checks.push_back(
			{"loaded", Status::Fail,
			 "toa is not loaded: connections below keep the load balancer's address",
			 "toa-check load"});
	uint8_t kind = TOA_DEFAULT_KIND;
	if (auto k = env.sys.read_file("/sys/module/toa/parameters/option_kind")) {
		int v = std::atoi(trim(*k).c_str());
		if (v >= 2 && v <= 255)
			kind = static_cast<uint8_t>(v);
	}
	std::string trusted_list =
		env.sys.read_file("/sys/module/toa/parameters/trusted_sources").value_or("");

	Tun tun;
	int rc = lbsim_tun_open(&tun.tun, nullptr);
	if (rc == 0)
		rc = lbsim_tun_up(tun.tun);
	if (rc < 0) {
		checks.push_back({"tun", Status::Fail,
				  fmt::format("cannot create a TUN device: {}", std::strerror(-rc)),
				  "modprobe tun   (and check that /dev/net/tun exists)"});
		print_checks(env.out, checks);
		return kExitFail;
	}
	std::string name = lbsim_tun_name(tun.tun);
	checks.push_back(
		{"tun", Status::Pass,
		 fmt::format("TUN device {} up; load balancer emulated behind it (option kind {})",
			     name, kind),
		 ""});
	bool have_v6 = env.sys.exists("/proc/sys/net/ipv6");
	for (const Plan &p : kPlans) {
		if (p.family == AF_INET6 && !have_v6) {
			checks.push_back(
				{"IPv6", Status::Warn, "IPv6: not tested (IPv6 is disabled)", ""});
			continue;
		}
		bool trusted = lb_trusted(trusted_list, p.family, p.lb);
		run_plan(env, tun.tun, p, kind, trusted || !loaded, timeout_ms, checks);
	}
	lbsim_tun_close(tun.tun);
	tun.tun = nullptr;
	bool gone = !env.sys.exists("/sys/class/net/" + name);
	checks.push_back({"cleanup", gone ? Status::Pass : Status::Warn,
			  gone ? fmt::format("removed {} and its addresses", name)
			       : fmt::format("{} still exists", name),
			  gone ? "" : "ip link delete " + name});
	print_checks(env.out, checks);
	bool ok = all_ok(checks);
	env.out << (ok ? "selftest passed\n" : "selftest failed\n");
	return ok ? kExitOk : kExitFail;
}

} // namespace toacheck
